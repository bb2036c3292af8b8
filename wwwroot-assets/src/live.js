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

export function startLive() {
  if (topicsOnPage().length === 0) { setStatus('disconnected'); return null; }
  const connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/live')
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10000, 500 * 2 ** ctx.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  connection.on('fragment', (topic, html) => {
    for (const el of document.querySelectorAll(`[data-live-topic="${CSS.escape(topic)}"]`)) {
      Idiomorph.morph(el, html, { morphStyle: 'outerHTML' });
    }
    lastUpdate = new Date();
    document.dispatchEvent(new CustomEvent('live:fragment', { detail: { topic } }));
  });

  const subscribe = () => connection.invoke('Subscribe', topicsOnPage());
  connection.onreconnecting(() => setStatus('reconnecting'));
  connection.onreconnected(() => { setStatus('connected'); subscribe(); });
  connection.onclose(() => setStatus('disconnected'));

  const start = async () => {
    try {
      await connection.start();
      setStatus('connected');
      await subscribe();
    } catch {
      setStatus('reconnecting');
      setTimeout(start, 3000);
    }
  };
  start();
  // htmx may bring new live parts into the page.
  document.body.addEventListener('htmx:afterSettle', () => {
    if (connection.state === signalR.HubConnectionState.Connected) subscribe();
  });
  window.dashboardLive = connection;
  return connection;
}
