// htmx requests that change something carry the antiforgery token from <meta name="antiforgery-token">
// (forms carry it as a field too; this covers hx-post on elements that are not forms).
export function initHtmxAntiforgery(htmx) {
  document.body.addEventListener('htmx:configRequest', event => {
    if (event.detail.verb === 'get') return;
    const meta = document.querySelector('meta[name="antiforgery-token"]');
    if (meta && meta.content) event.detail.headers['RequestVerificationToken'] = meta.content;
  });
  // Refusals (403), conflicts (409) and invalid input (400/422) come back as fragments meant to be shown in place;
  // they are answers, not failures, so they are swapped without being logged as errors.
  htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true },
    { code: '5..', swap: true },
  ];
}
