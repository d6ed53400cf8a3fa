'use strict';
// Routing (the part of the URL after #) and the API key, kept in session storage for this tab.

function render() {
  timers.forEach((t) => clearTimeout(t.timer));
  timers = [];
  notice('', '');
  const hash = location.hash || '#/';
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === hash));
  const keyState = document.getElementById('key-state');
  keyState.textContent = sessionStorage.getItem(KEY) ? 'key in use (this tab only)' : 'no key';
  if (hash.startsWith('#/c/')) collectionPage(decodeURIComponent(hash.slice(4)));
  else if (hash === '#/monitor') monitorPage();
  else if (hash === '#/keys') keysPage();
  else collectionsPage();
}

document.getElementById('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = document.getElementById('key-input');
  if (input.value) sessionStorage.setItem(KEY, input.value);
  input.value = '';
  render();
});
document.getElementById('key-forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  render();
});
window.addEventListener('hashchange', render);
render();
