import 'bootstrap/dist/css/bootstrap.min.css';
import './app.css';
import htmx from 'htmx.org';
import { initThemeToggle } from './theme.js';
import { startLive } from './live.js';
import { initHtmxAntiforgery } from './znodes.js';

window.htmx = htmx;

document.addEventListener('DOMContentLoaded', () => {
  initThemeToggle();
  startLive();
  initHtmxAntiforgery(htmx);
});
