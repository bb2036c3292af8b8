// The theme switch: light/dark via Bootstrap's data-bs-theme, remembered per browser.
export function initThemeToggle() {
  const button = document.getElementById('theme-toggle');
  if (!button) return;
  const render = () => {
    const dark = document.documentElement.getAttribute('data-bs-theme') === 'dark';
    button.textContent = dark ? 'Light theme' : 'Dark theme';
    button.setAttribute('aria-pressed', String(dark));
  };
  button.addEventListener('click', () => {
    const next = document.documentElement.getAttribute('data-bs-theme') === 'dark' ? 'light' : 'dark';
    document.documentElement.setAttribute('data-bs-theme', next);
    localStorage.setItem('theme', next);
    // The interactive pages read the theme from this cookie on the server.
    document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
    render();
  });
  render();
}
