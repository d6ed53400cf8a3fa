'use strict';
// Live charts for the dashboard, drawn by hand on <canvas> (no charting library to ship or to
// download at build time), from the server's own Prometheus metrics at /metrics.

/** Parses Prometheus text exposition into [{name, labels, value}]. */
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    }
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

/** Routes of the dashboard itself (its files and its polling), left out of the request charts. */
const OWN_ROUTES = new Set(['/metrics', '/dashboard/*', '/dashboard']);

/** Whether a request sample is the application's, not the dashboard's own. */
function notOwn(labels) {
  return !OWN_ROUTES.has(labels.route);
}

/** The sum of every sample of metric {@code name} whose labels pass {@code keep}. */
function sumOf(samples, name, keep) {
  let s = 0;
  for (const x of samples) if (x.name === name && (!keep || keep(x.labels)) && Number.isFinite(x.value)) s += x.value;
  return s;
}

/**
 * Request latency quantile (ms) between two scrapes, from the cumulative histogram buckets of
 * vectorflow_http_* and vectorflow_grpc_* request durations: the upper bound of the first bucket
 * holding the quantile's share of the requests that arrived in between.
 */
function latencyQuantile(before, after, q) {
  const buckets = (samples) => {
    const m = new Map();
    for (const x of samples) {
      if (/^vectorflow_(http|grpc)_total_duration_seconds_bucket$/.test(x.name) && x.labels.le && notOwn(x.labels)) {
        m.set(x.labels.le, (m.get(x.labels.le) || 0) + x.value);
      }
    }
    return m;
  };
  const a = buckets(before), b = buckets(after);
  const bounds = [...b.keys()].sort((x, y) => (x === '+Inf' ? Infinity : Number(x)) - (y === '+Inf' ? Infinity : Number(y)));
  const total = (b.get('+Inf') || 0) - (a.get('+Inf') || 0);
  if (total <= 0) return null;
  for (const le of bounds) {
    if ((b.get(le) || 0) - (a.get(le) || 0) >= q * total) return le === '+Inf' ? null : Number(le) * 1000;
  }
  return null;
}

/** A line chart of up to 60 points per series on a canvas, with its latest values in a legend. */
class LineChart {
  constructor(canvas, legend, series, unit) {
    this.canvas = canvas; this.legend = legend; this.series = series; this.unit = unit;
    this.data = series.map(() => []);
  }
  push(values) {
    values.forEach((v, i) => { this.data[i].push(v); if (this.data[i].length > 60) this.data[i].shift(); });
    this.draw();
  }
  draw() {
    const c = this.canvas, ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth || 300, h = c.clientHeight || 160;
    c.width = w * ratio; c.height = h * ratio;
    const g = c.getContext('2d');
    g.scale(ratio, ratio);
    g.clearRect(0, 0, w, h);
    const all = this.data.flat().filter((v) => v != null && Number.isFinite(v));
    const peak = all.length ? Math.max(...all) : 0;
    const max = peak > 0 ? peak * 1.15 : 1;
    const left = 44, bottom = h - 16;
    g.strokeStyle = '#d8dee9'; g.fillStyle = '#5d6b82'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
    for (let i = 0; i <= 3; i++) {
      const y = bottom - (bottom - 6) * i / 3;
      g.beginPath(); g.moveTo(left, y); g.lineTo(w - 4, y); g.stroke();
      g.fillText(formatNumber(max * i / 3), 2, y + 4);
    }
    const colors = ['#2f6fde', '#d9730d', '#1f7a3d', '#b3261e'];
    // the newest sample at the right edge, one step per scrape to the left
    const step = (w - left - 4) / 59;
    this.data.forEach((points, s) => {
      const color = colors[s % colors.length];
      const at = (v, i) => [w - 4 - (points.length - 1 - i) * step, bottom - (bottom - 6) * v / max];
      g.strokeStyle = color; g.fillStyle = color; g.lineWidth = 2; g.beginPath();
      let started = false;
      points.forEach((v, i) => {
        if (v == null || !Number.isFinite(v)) { started = false; return; }
        const [x, y] = at(v, i);
        if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
      });
      g.stroke();
      points.forEach((v, i) => {
        if (v == null || !Number.isFinite(v)) return;
        const [x, y] = at(v, i);
        g.beginPath(); g.arc(x, y, 2.5, 0, 2 * Math.PI); g.fill();
      });
    });
    this.legend.textContent = this.series.map((name, s) => {
      const last = this.data[s][this.data[s].length - 1];
      return `${name}: ${last == null ? '–' : formatNumber(last)}${this.unit}`;
    }).join('   ');
  }
}

function formatNumber(v) {
  if (v == null) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(1) + 'G';
  if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toFixed(2);
}
