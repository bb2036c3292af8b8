// Our Content Security Policy allows no inline script or style, so htmx must not inject its indicator <style>
// or evaluate attribute code; and every htmx request carries the antiforgery token the server put in a meta tag.
export function configureHtmx(htmx) {
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.selfRequestsOnly = true;
  document.addEventListener('htmx:configRequest', event => {
    const token = document.querySelector('meta[name="antiforgery-token"]')?.content;
    if (token) event.detail.headers['RequestVerificationToken'] = token;
  });
}
