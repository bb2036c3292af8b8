// Loaded blocking in <head> so the page never flashes the wrong theme before app.js runs.
const stored = localStorage.getItem('theme');
const theme = stored === 'light' || stored === 'dark'
  ? stored
  : (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
document.documentElement.setAttribute('data-bs-theme', theme);
