// The server answers htmx with 200 for refusals and conflicts (the real status in X-Znode-Status), so Chromium
// does not log them as errors; should a 4xx/5xx fragment still arrive (e.g. from a proxy), it is shown in place
// rather than dropped. (The antiforgery header for htmx is added in security.js.)
export function configureHtmxResponses(htmx) {
  htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true },
    { code: '5..', swap: true },
  ];
}
