'use strict';
// A collection's page: its state and memory, payload indexes, settings, a search console and
// snapshots. Uses api(), h(), act(), fail(), notice(), bytes(), every() from app.js.

const INDEX_TYPES = ['keyword', 'integer', 'float', 'bool', 'text', 'datetime', 'uuid', 'geo'];

async function collectionPage(name) {
  const path = '/collections/' + enc(name);
  const overview = h('div', { id: 'overview' });
  const memory = h('tbody', { id: 'memory' });
  const config = h('pre', { id: 'config' });
  const indexes = h('tbody', { id: 'indexes' });
  const snapshots = h('tbody', { id: 'snapshots' });
  const results = h('div', { id: 'results' });
  let info = null;

  async function load() {
    try {
      info = await api('GET', path);
    } catch (e) {
      fail(e);
      return;
    }
    const v = vectorsOf(info);
    overview.replaceChildren(h('p', {},
      h('b', { id: 'detail-points' }, String(info.points_count)), ' points · dimension ', String(v.size), ' · ', v.distance,
      ' · ', String(info.segments_count), ' segments · status ', info.status,
      info.vectorflow && info.vectorflow.unindexed_points ? ` · ${info.vectorflow.unindexed_points} waiting for the index` : '',
      ' · quantization ', quantizationOf(info), ' · estimated recall ', recallOf(info)));
    const ram = (info.memory && info.memory.ram_bytes) || {}, disk = (info.memory && info.memory.disk_bytes) || {};
    const parts = [...new Set([...Object.keys(ram), ...Object.keys(disk)])];
    memory.replaceChildren(...parts.map((p) => h('tr', {}, h('td', {}, p), h('td', {}, bytes(ram[p])), h('td', {}, bytes(disk[p])))));
    config.textContent = JSON.stringify(info.config, null, 2);
    const schema = info.payload_schema || {};
    indexes.replaceChildren(...Object.keys(schema).map((field) => h('tr', { 'data-index': field },
      h('td', {}, field), h('td', {}, schema[field].data_type), h('td', {}, String(schema[field].points ?? '–')),
      h('td', {}, h('button', { class: 'plain', onclick: () => act(() => api('DELETE', `${path}/index/${enc(field)}`),
        `Index on ${field} dropped`).then(load) }, 'Drop')))));
    if (!Object.keys(schema).length) indexes.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No payload indexes.')));
    const s = document.getElementById('settings');
    if (s && !s.dataset.filled) {
      s.m.value = info.config.hnsw_config.m;
      s.ef_construct.value = info.config.hnsw_config.ef_construct;
      s.indexing_threshold.value = info.config.optimizer_config.indexing_threshold;
      const q = info.config.quantization_config;
      s.quantization.value = !q ? 'none' : q.scalar ? 'scalar' : q.binary ? 'binary' : 'product';
      s.dataset.filled = '1';
    }
  }

  async function loadSnapshots() {
    try {
      const list = await api('GET', path + '/snapshots');
      snapshots.replaceChildren(...list.map((sn) => h('tr', { 'data-snapshot': sn.name },
        h('td', {}, sn.name), h('td', {}, bytes(sn.size)), h('td', {}, sn.creation_time || ''),
        h('td', {}, h('button', { class: 'plain', onclick: () => download(sn.name) }, 'Download'), ' ',
          h('button', { class: 'plain', onclick: () => act(() => api('DELETE', `${path}/snapshots/${enc(sn.name)}`),
            'Snapshot deleted').then(loadSnapshots) }, 'Delete')))));
      if (!list.length) snapshots.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No snapshots.')));
    } catch (e) {
      fail(e);
    }
  }

  async function download(snapshot) {
    await act(async () => {
      const blob = await api('GET', `${path}/snapshots/${enc(snapshot)}`, undefined, { blob: true });
      const a = h('a', { href: URL.createObjectURL(blob), download: snapshot });
      document.body.append(a);
      a.click();
      a.remove();
    });
  }

  function settingsBody(f) {
    const body = { hnsw_config: { m: Number(f.m.value), ef_construct: Number(f.ef_construct.value) },
      optimizers_config: { indexing_threshold: Number(f.indexing_threshold.value) } };
    const q = f.quantization.value;
    body.quantization_config = q === 'none' ? 'Disabled' : q === 'scalar' ? { scalar: { type: 'int8', always_ram: true } }
      : q === 'binary' ? { binary: { always_ram: true } } : { product: { compression: 'x16', always_ram: true } };
    return body;
  }

  async function search(f) {
    const text = f.query.value.trim();
    let query;
    try {
      query = text.startsWith('[') ? JSON.parse(text) : /^\d+$/.test(text) ? Number(text) : text;
    } catch (e) {
      notice('The query must be a JSON array of numbers, or a point id', 'error');
      return;
    }
    const body = { query, limit: Number(f.limit.value) || 10, with_payload: true, explain: f.explain.checked };
    if (f.filter.value.trim()) {
      try { body.filter = JSON.parse(f.filter.value); } catch (e) { notice('The filter is not JSON: ' + e.message, 'error'); return; }
    }
    if (Number(f.ef.value)) body.params = { hnsw_ef: Number(f.ef.value) };
    await act(async () => {
      const answer = await api('POST', path + '/points/query', body, { whole: true });
      const points = answer.result.points || [];
      const performance = answer.performance || answer.result.performance;
      results.replaceChildren(
        h('div', { class: 'scroll' }, h('table', { id: 'hits' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Id'), h('th', {}, 'Score'), h('th', {}, 'Payload'))),
          h('tbody', {}, points.map((p) => h('tr', { 'data-hit': String(p.id) }, h('td', { class: 'hit-id' }, String(p.id)),
            h('td', {}, p.score.toFixed(4)), h('td', { class: 'wrap' }, JSON.stringify(p.payload ?? {}))))))),
        h('h3', {}, 'Performance'), h('pre', { id: 'performance' }, JSON.stringify({ ...performance, explain: undefined }, null, 2)),
        performance && performance.explain ? h('h3', {}, 'Explain') : '',
        performance && performance.explain ? h('pre', { id: 'explain-output' }, JSON.stringify(performance.explain, null, 2)) : '');
    });
  }

  view.replaceChildren(
    h('section', {}, h('h2', {}, h('a', { href: '#/' }, 'Collections'), ' / ', h('span', { id: 'detail-name' }, name)), overview,
      h('div', { class: 'grid' },
        h('div', { class: 'scroll' }, h('h3', {}, 'Memory by component'), h('table', {},
          h('thead', {}, h('tr', {}, h('th', {}, 'Component'), h('th', {}, 'RAM'), h('th', {}, 'Disk'))), memory)),
        h('div', {}, h('h3', {}, 'Configuration'), config))),
    h('section', {}, h('h3', {}, 'Search console'),
      h('form', { id: 'search', onsubmit: (ev) => { ev.preventDefault(); search(ev.target); } },
        h('label', {}, 'Query: a vector as a JSON array, or a point id', h('textarea', { name: 'query', id: 'query', required: true })),
        h('label', {}, 'Filter (JSON, Qdrant\'s shape)', h('textarea', { name: 'filter', id: 'filter',
          placeholder: '{"must": [{"key": "city", "match": {"value": "Berlin"}}]}' })),
        h('div', { class: 'row' },
          h('label', {}, 'Limit', h('input', { name: 'limit', id: 'limit', type: 'number', value: 10, min: 1 })),
          h('label', {}, 'ef', h('input', { name: 'ef', id: 'ef', type: 'number', min: 0, placeholder: 'default' })),
          h('label', { class: 'check' }, h('input', { name: 'explain', id: 'explain', type: 'checkbox' }), 'explain'),
          h('button', { type: 'submit', id: 'run-search' }, 'Search'))),
      results),
    h('section', {}, h('h3', {}, 'Settings'),
      h('form', { class: 'row', id: 'settings', onsubmit: (ev) => {
        ev.preventDefault();
        act(() => api('PATCH', path, settingsBody(ev.target)), 'Settings saved').then(load);
      } },
      h('label', {}, 'HNSW m', h('input', { name: 'm', id: 'set-m', type: 'number', min: 2 })),
      h('label', {}, 'HNSW ef_construct', h('input', { name: 'ef_construct', id: 'set-ef-construct', type: 'number', min: 4 })),
      h('label', {}, 'Indexing threshold (KiB)', h('input', { name: 'indexing_threshold', id: 'set-indexing-threshold', type: 'number', min: 0 })),
      h('label', {}, 'Quantization', h('select', { name: 'quantization', id: 'set-quantization' },
        [['none', 'none'], ['scalar', 'scalar int8'], ['binary', 'binary'], ['product', 'product x16']]
          .map(([v, t]) => h('option', { value: v }, t)))),
      h('button', { type: 'submit', id: 'save-settings' }, 'Save'))),
    h('section', {}, h('h3', {}, 'Payload indexes'),
      h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Type'),
        h('th', {}, 'Points'), h('th', {}, ''))), indexes)),
      h('form', { class: 'row', id: 'create-index', onsubmit: (ev) => {
        ev.preventDefault();
        const f = ev.target;
        act(() => api('PUT', path + '/index?wait=true', { field_name: f.field.value.trim(), field_schema: f.type.value }),
          `Index on ${f.field.value} created`).then(load);
      } },
      h('label', {}, 'Field', h('input', { name: 'field', id: 'index-field', required: true })),
      h('label', {}, 'Type', h('select', { name: 'type', id: 'index-type' }, INDEX_TYPES.map((t) => h('option', {}, t)))),
      h('button', { type: 'submit', id: 'create-index-button' }, 'Create index'))),
    h('section', {}, h('h3', {}, 'Snapshots'),
      h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Size'),
        h('th', {}, 'Created'), h('th', {}, ''))), snapshots)),
      h('div', { class: 'row' },
        h('button', { id: 'create-snapshot', onclick: () => act(() => api('POST', path + '/snapshots'), 'Snapshot created')
          .then(loadSnapshots) }, 'Create snapshot'),
        h('form', { class: 'row', id: 'restore', onsubmit: (ev) => {
          ev.preventDefault();
          const file = ev.target.snapshot.files[0];
          if (!file) { notice('Choose a snapshot file to restore', 'error'); return; }
          const form = new FormData();
          form.append('snapshot', file);
          act(() => api('POST', path + '/snapshots/upload?wait=true', form), 'Snapshot restored').then(() => { load(); loadSnapshots(); });
        } },
        h('label', {}, 'Restore from a file', h('input', { name: 'snapshot', id: 'restore-file', type: 'file', accept: '.snapshot' })),
        h('button', { type: 'submit', class: 'danger', id: 'restore-button' }, 'Restore')))));
  every(2000, load);
  loadSnapshots();
}
