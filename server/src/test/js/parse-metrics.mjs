// Scrapes a VectorFlow server's /metrics and parses it with a third-party Prometheus text-format
// parser (parse-prometheus-text-format, pinned in package.json). Prints one JSON line:
// {"families": {"<name>": {"type": "...", "samples": [{"labels": {...}, "value": "..."}]}}}.
// Usage: node parse-metrics.mjs http://127.0.0.1:6333
import parsePrometheusTextFormat from "parse-prometheus-text-format";

const url = process.argv[2] ?? "http://127.0.0.1:6333";
const res = await fetch(url + "/metrics");
if (res.status !== 200) {
  console.error("GET /metrics answered " + res.status);
  process.exit(1);
}
const text = await res.text();
const families = {};
if (process.env.DUMP) { for (const l of text.split("\n")) if (l.includes("armeria_server_all_requests")) console.error(JSON.stringify(l)); }
for (const f of parsePrometheusTextFormat(text)) {
  families[f.name] = {
    type: f.type,
    samples: f.metrics.map((m) => ({ labels: m.labels ?? {}, value: m.value ?? null, buckets: m.buckets ? Object.keys(m.buckets).length : 0 })),
  };
}
console.log(JSON.stringify({ families }));
