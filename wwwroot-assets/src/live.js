// Live parts of a page: elements marked data-live-topic="<topic>" are re-rendered on the server and pushed over
// SignalR as HTML; we morph them in place so focus, scroll and open details survive an update.
import * as signalR from '@microsoft/signalr';
import { Idiomorph } from 'idiomorph';

function topicsOnPage() {
  return [...new Set([...document.querySelectorAll('[data-live-topic]')].map(el => el.dataset.liveTopic))];
}

// When the connection drops, what the page shows is only as fresh as the last update: say since when.
let lastUpdate = null;
const hhmmss = d => d.toTimeString().slice(0, 8);

function setStatus(state) {
  const badge = document.getElementById('live-status');
  if (!badge) return;
  badge.dataset.state = state;
  if (state === 'connected') lastUpdate = new Date();
  const stale = lastUpdate && state !== 'connected' ? ` (stale since ${hhmmss(lastUpdate)})` : '';
  badge.textContent = ({ connected: 'Live', reconnecting: 'Reconnecting...', disconnected: 'Offline' }[state] ?? state) + stale;
  badge.className = 'badge ' + ({ connected: 'text-bg-success', reconnecting: 'text-bg-warning', disconnected: 'text-bg-secondary' }[state] ?? 'text-bg-secondary');
}

// What a page shows can be older than the server's state: pushes missed while the connection was down (or the
// server restarted), and parts that are not pushed at all (a page's buttons, lists, plans). Those parts are marked
// data-live-refresh (with an id); a re-read fetches the page as it is now and morphs them, and every live topic,
// in place. It runs on every (re)connect, when a pushed part's data-live-version changes (say, a run paused), and
// every data-live-refresh-every seconds for parts that change with the ensemble.
let refreshing = null;
async function refreshFromServer(selector = '[data-live-topic][id], [data-live-refresh][id]') {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const response = await fetch(location.href, { credentials: 'same-origin' });
      if (!response.ok || response.redirected) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const el of document.querySelectorAll(selector)) {
        const next = fresh.getElementById(el.id);
        if (next) Idiomorph.morph(el, next.outerHTML, { morphStyle: 'outerHTML', ignoreActiveValue: true });
      }
      lastUpdate = new Date();
      document.dispatchEvent(new CustomEvent('live:refreshed'));
    } catch {
      // The next reconnect or change tries again.
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function versions() {
  return new Map([...document.querySelectorAll('[data-live-version][id]')].map(el => [el.id, el.dataset.liveVersion]));
}

export function startLive() {
  if (topicsOnPage().length === 0) { setStatus('disconnected'); return null; }
  const connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/live')
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10000, 500 * 2 ** ctx.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  connection.on('fragment', (topic, html) => {
    const before = versions();
    for (const el of document.querySelectorAll(`[data-live-topic="${CSS.escape(topic)}"]`)) {
      Idiomorph.morph(el, html, { morphStyle: 'outerHTML' });
    }
    const after = versions();
    if ([...after].some(([id, v]) => before.has(id) && before.get(id) !== v)) refreshFromServer('[data-live-refresh][id]');
    lastUpdate = new Date();
    document.dispatchEvent(new CustomEvent('live:fragment', { detail: { topic } }));
  });

  const subscribe = () => connection.invoke('Subscribe', topicsOnPage());
  connection.onreconnecting(() => setStatus('reconnecting'));
  connection.onreconnected(async () => { await subscribe(); await refreshFromServer(); setStatus('connected'); });
  // Automatic reconnection gives up when the server was gone too long (a restart, a deploy): start again.
  connection.onclose(() => { setStatus('disconnected'); setTimeout(start, 3000); });

  let attempts = 0;
  const start = async () => {
    if (connection.state !== signalR.HubConnectionState.Disconnected) return;
    try {
      const first = attempts++ === 0;
      await connection.start();
      await subscribe();
      if (!first) await refreshFromServer(); // the page was rendered before the connection was lost
      setStatus('connected');
    } catch {
      setStatus('reconnecting');
      setTimeout(start, 3000);
    }
  };
  start();
  for (const el of document.querySelectorAll('[data-live-refresh-every][id]')) {
    const seconds = Math.max(2, Number(el.dataset.liveRefreshEvery) || 10);
    setInterval(() => {
      if (connection.state === signalR.HubConnectionState.Connected && !document.hidden) refreshFromServer(`#${CSS.escape(el.id)}`);
    }, seconds * 1000);
  }
  // htmx may bring new live parts into the page.
  document.body.addEventListener('htmx:afterSettle', () => {
    if (connection.state === signalR.HubConnectionState.Connected) subscribe();
  });
  window.dashboardLive = connection;
  return connection;
}
