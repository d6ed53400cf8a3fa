'use strict';
// The VectorFlow dashboard: plain DOM code over the server's own REST API, so it shows and does
// exactly what the key in session storage may see and do.

const KEY = 'vectorflow-api-key';
const view = document.getElementById('view');
const noticeBox = document.getElementById('notice');
let timers = [];

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** One REST call with the stored key; the parsed answer (its "result" when there is one). */
async function api(method, path, body, options = {}) {
  const headers = {};
  const key = sessionStorage.getItem(KEY);
  if (key) headers['api-key'] = key;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(path, { method, headers, body: payload });
  if (options.blob && r.ok) return r.blob();
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!r.ok) {
    const message = json && json.status && json.status.error ? json.status.error : text || r.statusText;
    throw new ApiError(r.status, message);
  }
  if (options.whole) return json;
  return json && json.result !== undefined ? json.result : json;
}

/** An element: h('td', {class: 'x', onclick: f}, 'text', child, …). */
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}

function notice(text, kind) {
  noticeBox.textContent = text;
  noticeBox.className = kind;
  noticeBox.hidden = !text;
}

/** Shows a failure the way the server put it: refusals as refusals, a missing key as a prompt. */
function fail(e) {
  if (e.status === 401) notice('This server needs an API key: enter it above.', 'error');
  else if (e.status === 403) notice('Refused (403): ' + e.message, 'error');
  else notice('Error' + (e.status ? ' ' + e.status : '') + ': ' + e.message, 'error');
}

/** Runs an action from a button or form: clears the notice, reports success or the failure. */
async function act(fn, done) {
  notice('', '');
  try {
    await fn();
    if (done) notice(done, 'ok');
    return true;
  } catch (e) {
    fail(e);
    return false;
  }
}

function bytes(n) {
  if (n == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + units[i];
}

/** Runs fn now and then every ms, or later when a run takes longer (never two at once). */
function every(ms, fn) {
  const handle = { timer: null };
  const run = async () => {
    const started = Date.now();
    try { await fn(); } finally {
      if (timers.includes(handle)) {
        handle.timer = setTimeout(run, Math.max(ms, 2 * (Date.now() - started)));
      }
    }
  };
  timers.push(handle);
  run();
}

/** fn over items, at most limit calls in flight at once; results in order. */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function enc(name) { return encodeURIComponent(name); }

// ---- collections ----------------------------------------------------------------------------

function quantizationOf(info) {
  const q = info.config && info.config.quantization_config;
  if (!q) return 'none';
  const kind = Object.keys(q)[0];
  const detail = q[kind] && (q[kind].type || q[kind].compression);
  return detail ? `${kind} ${detail}` : kind;
}

function recallOf(info) {
  const r = info.vectorflow && info.vectorflow.estimated_recall;
  const first = r && Object.values(r)[0];
  return first ? `${first.recall.toFixed(3)} (${first.samples})` : '–';
}

function vectorsOf(info) {
  const v = info.config.params.vectors || {};
  if (v.size != null) return { size: v.size, distance: v.distance };
  const names = Object.keys(v);
  return names.length ? { size: names.map((n) => `${n || '""'}:${v[n].size}`).join(' '), distance: v[names[0]].distance } : { size: '–', distance: '–' };
}

async function collectionsPage() {
  const table = h('tbody', { id: 'collections-body' });
  const confirmBox = h('div', { id: 'confirm-box' });
  view.replaceChildren(
    h('section', {},
      h('h2', {}, 'Collections'),
      h('div', { class: 'scroll' }, h('table', { id: 'collections' },
        h('thead', {}, h('tr', {}, ['Name', 'Points', 'Dimension', 'Metric', 'Segments', 'RAM', 'Disk', 'Quantization',
          'Est. recall', ''].map((t) => h('th', {}, t)))), table)),
      confirmBox),
    h('section', {},
      h('h3', {}, 'Create a collection'),
      h('form', { class: 'row', id: 'create-collection', onsubmit: (ev) => {
        ev.preventDefault();
        const f = ev.target;
        act(() => api('PUT', '/collections/' + enc(f.name.value.trim()),
          { vectors: { size: Number(f.dimension.value), distance: f.metric.value } }), `Collection ${f.name.value} created`)
          .then((ok) => { if (ok) { f.reset(); refresh(); } });
      } },
      h('label', {}, 'Name', h('input', { name: 'name', id: 'new-name', required: true })),
      h('label', {}, 'Dimension', h('input', { name: 'dimension', id: 'new-dimension', type: 'number', min: 1, max: 65536, required: true })),
      h('label', {}, 'Metric', h('select', { name: 'metric', id: 'new-metric' },
        ['Cosine', 'Euclid', 'Dot', 'Manhattan'].map((m) => h('option', {}, m)))),
      h('button', { type: 'submit', id: 'create' }, 'Create'))));

  const askDelete = (name) => {
    confirmBox.replaceChildren(h('div', { class: 'confirm' },
      h('p', {}, `Delete collection "${name}" with all its points? This cannot be undone.`),
      h('button', { class: 'danger', id: 'confirm-delete', onclick: () => act(() => api('DELETE', '/collections/' + enc(name)),
        `Collection ${name} deleted`).then(() => { confirmBox.replaceChildren(); refresh(); }) }, 'Delete'), ' ',
      h('button', { class: 'plain', id: 'confirm-cancel', onclick: () => confirmBox.replaceChildren() }, 'Cancel')));
  };

  async function refresh() {
    try {
      const list = await api('GET', '/collections');
      // at most 8 requests at a time; with many collections each round takes longer and the next waits for it
      const infos = await mapLimit(list.collections, 8, (c) => api('GET', '/collections/' + enc(c.name))
        .then((info) => [c.name, info], () => [c.name, null]));
      table.replaceChildren(...infos.map(([name, info]) => {
        if (!info) return h('tr', { 'data-collection': name }, h('td', {}, name), h('td', { colspan: 9, class: 'muted' }, 'not readable'));
        const v = vectorsOf(info);
        const mem = info.memory || { ram_bytes: {}, disk_bytes: {} };
        return h('tr', { 'data-collection': name },
          h('td', {}, h('a', { href: '#/c/' + enc(name) }, name)),
          h('td', { class: 'points' }, String(info.points_count)),
          h('td', {}, String(v.size)), h('td', {}, v.distance), h('td', {}, String(info.segments_count)),
          h('td', {}, bytes(mem.ram_bytes.total)), h('td', {}, bytes(mem.disk_bytes.total)),
          h('td', {}, quantizationOf(info)), h('td', {}, recallOf(info)),
          h('td', {}, h('button', { class: 'plain', 'data-delete': name, onclick: () => askDelete(name) }, 'Delete')));
      }));
      if (!infos.length) table.replaceChildren(h('tr', {}, h('td', { colspan: 10, class: 'muted' }, 'No collections yet.')));
    } catch (e) {
      fail(e);
    }
  }
  every(2000, refresh);
}
