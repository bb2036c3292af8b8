import 'bootstrap/dist/css/bootstrap.min.css';
import './app.css';
import htmx from 'htmx.org';
import { initThemeToggle } from './theme.js';
import { startLive } from './live.js';
import { configureHtmx } from './security.js';
import { configureHtmxResponses } from './znodes.js';

// Before DOMContentLoaded, when htmx reads its configuration and would inject its style.
configureHtmx(htmx);
window.htmx = htmx;

document.addEventListener('DOMContentLoaded', () => {
  initThemeToggle();
  startLive();
  configureHtmxResponses(htmx);
});
