// Script of the interactive pages (Blazor Server + MudBlazor). Blazor owns the page; this file only adds what the
// browser must do itself: remember the theme, and say since when the screen is stale when the circuit drops.
// Charts are a separate module (charts.js), imported by the components that draw them.

function rememberTheme(mode) {
  // A cookie, not local storage: the server reads it to render the first paint in this theme.
  document.cookie = `theme=${mode === 'dark' ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax`;
}

function two(n) { return String(n).padStart(2, '0'); }

// Blazor raises this on #components-reconnect-modal (LiveStatus) with the circuit's state.
function watchConnection() {
  document.addEventListener('components-reconnect-state-changed', (event) => {
    const state = event.detail && event.detail.state;
    const status = document.getElementById('components-reconnect-modal');
    if (!status) return;
    if (state === 'show' || state === 'retrying') {
      if (!status.dataset.downSince) {
        const now = new Date();
        status.dataset.downSince = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
      }
    } else if (state === 'hide' || state === 'resume') {
      delete status.dataset.downSince;
    }
    status.querySelectorAll('[data-stale-since]').forEach((el) => { el.textContent = status.dataset.downSince || ''; });
  }, true);
}

window.dashboardUi = { rememberTheme };
watchConnection();
