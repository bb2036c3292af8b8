// htmx requests that change something carry the antiforgery token from <meta name="antiforgery-token">
// (forms carry it as a field too; this covers hx-post on elements that are not forms).
export function initHtmxAntiforgery(htmx) {
  document.body.addEventListener('htmx:configRequest', event => {
    if (event.detail.verb === 'get') return;
    const meta = document.querySelector('meta[name="antiforgery-token"]');
    if (meta && meta.content) event.detail.headers['RequestVerificationToken'] = meta.content;
  });
  // The server answers htmx with 200 for refusals and conflicts (real status in X-Znode-Status); should a 4xx/5xx
  // fragment still arrive (e.g. from a proxy), it is shown in place rather than dropped.
  htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true },
    { code: '5..', swap: true },
  ];
}
