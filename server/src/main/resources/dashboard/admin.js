'use strict';
// Monitoring from /metrics, and keys and tenants for an admin key. Uses app.js and charts.js.

async function monitorPage() {
  const charts = [
    ['qps', 'Requests per second', ['REST', 'gRPC'], ''],
    ['latency', 'Request latency', ['p50', 'p99'], ' ms'],
    ['ingest', 'Ingest', ['points/s'], ''],
    ['lag', 'Indexer lag', ['points waiting'], ''],
    ['compaction', 'Compaction', ['compactions/min', 'MiB written/min'], ''],
  ];
  const made = {};
  view.replaceChildren(h('section', {}, h('h2', {}, 'Monitor'),
    h('p', { class: 'muted' }, 'From the server\'s own /metrics, every 2 seconds (an admin or metrics key when keys are on).'),
    h('div', { class: 'grid' }, charts.map(([id, title, series, unit]) => {
      const canvas = h('canvas', { id: 'chart-' + id });
      const legend = h('div', { class: 'legend', id: 'legend-' + id });
      made[id] = new LineChart(canvas, legend, series, unit);
      return h('div', { class: 'chart' }, h('h3', {}, title), canvas, legend);
    }))));
  let previous = null, previousAt = 0;
  every(2000, async () => {
    let text;
    try {
      const key = sessionStorage.getItem(KEY);
      const r = await fetch('/metrics', { headers: key ? { 'api-key': key } : {} });
      if (!r.ok) throw new ApiError(r.status, await r.text());
      text = await r.text();
    } catch (e) {
      fail(e);
      return;
    }
    const now = Date.now(), samples = parseMetrics(text);
    if (previous) {
      const secs = (now - previousAt) / 1000;
      const rate = (name, keep) => Math.max(0, (sumOf(samples, name, keep) - sumOf(previous, name, keep)) / secs);
      made.qps.push([rate('vectorflow_http_requests_total', notOwn), rate('vectorflow_grpc_requests_total')]);
      made.latency.push([latencyQuantile(previous, samples, 0.5), latencyQuantile(previous, samples, 0.99)]);
      made.ingest.push([rate('vectorflow_collection_points')]);
      made.lag.push([sumOf(samples, 'vectorflow_collection_unindexed_points')]);
      made.compaction.push([rate('vectorflow_compactions_total') * 60, rate('vectorflow_compaction_written_bytes_total') * 60 / 1048576]);
    }
    previous = samples;
    previousAt = now;
  });
}

async function keysPage() {
  const keys = h('tbody', { id: 'keys' });
  const tenants = h('tbody', { id: 'tenants' });
  const secret = h('div', { id: 'new-secret' });
  async function load() {
    try {
      const list = await api('GET', '/admin/keys');
      keys.replaceChildren(...list.keys.map((k) => h('tr', { 'data-key': k.id },
        h('td', {}, k.id), h('td', {}, k.name || ''), h('td', {}, k.role), h('td', {}, k.tenant || ''),
        h('td', {}, Object.entries(k.collections || {}).map(([c, role]) => `${c} (${role})`).join(', ') || 'all'),
        h('td', {}, k.created || ''),
        h('td', {}, h('button', { class: 'plain', onclick: () => act(() => api('DELETE', '/admin/keys/' + enc(k.id)),
          `Key ${k.id} revoked`).then(load) }, 'Revoke')))));
      const ts = await api('GET', '/admin/tenants');
      const limit = (used, max, show = String) => max ? `${show(used)} of ${show(max)}` : `${show(used)} (no limit)`;
      tenants.replaceChildren(...ts.tenants.map((t) => h('tr', { 'data-tenant': t.tenant }, h('td', {}, t.tenant),
        h('td', {}, limit(t.usage.collections, t.quotas.max_collections)), h('td', {}, limit(t.usage.points, t.quotas.max_points)),
        h('td', {}, limit(t.usage.disk_bytes, t.quotas.max_disk_bytes, bytes)),
        h('td', {}, t.quotas.max_requests_per_second ? `${t.quotas.max_requests_per_second}/s` : 'no limit'))));
    } catch (e) {
      fail(e);
    }
  }
  view.replaceChildren(
    h('section', {}, h('h2', {}, 'API keys'),
      h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['Id', 'Name', 'Role', 'Tenant', 'Collections', 'Created', '']
        .map((t) => h('th', {}, t)))), keys)),
      h('form', { class: 'row', id: 'create-key', onsubmit: (ev) => {
        ev.preventDefault();
        const f = ev.target;
        const body = { name: f.name.value, role: f.role.value };
        if (f.tenant.value.trim()) body.tenant = f.tenant.value.trim();
        if (f.collections.value.trim()) body.collections = f.collections.value.split(',').map((c) => c.trim()).filter(Boolean);
        act(async () => {
          const made = await api('POST', '/admin/keys', body);
          secret.replaceChildren(h('p', {}, 'The new key, shown once: ', h('code', { id: 'secret' }, made.key)));
        }, 'Key created').then(load);
      } },
      h('label', {}, 'Name', h('input', { name: 'name', required: true })),
      h('label', {}, 'Role', h('select', { name: 'role' }, ['read-only', 'read-write', 'admin', 'metrics'].map((r) => h('option', {}, r)))),
      h('label', {}, 'Tenant', h('input', { name: 'tenant', placeholder: 'default' })),
      h('label', {}, 'Collections (comma-separated)', h('input', { name: 'collections', placeholder: 'all' })),
      h('button', { type: 'submit' }, 'Create key')),
      secret),
    h('section', {}, h('h2', {}, 'Tenants'), h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Tenant', 'Collections', 'Points', 'Disk', 'Requests'].map((t) => h('th', {}, t)))), tenants))));
  load();
}
