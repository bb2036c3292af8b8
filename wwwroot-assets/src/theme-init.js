// Loaded blocking in <head> so the page never flashes the wrong theme before app.js runs. The cookie is the
// choice made on either kind of page (the interactive ones write only it); local storage is the older one.
const cookie = (document.cookie.match(/(?:^|;\s*)theme=(dark|light)/) || [])[1];
const stored = cookie || localStorage.getItem('theme');
const theme = stored === 'light' || stored === 'dark'
  ? stored
  : (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
document.documentElement.setAttribute('data-bs-theme', theme);
