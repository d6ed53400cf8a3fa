// Named dense vectors and sparse vectors through the official Qdrant JavaScript client
// (@qdrant/js-client-rest), the way hybrid-search applications use them: a collection with a dense
// and a sparse (idf) vector and a second dense one, points lacking some vectors, a search on each
// vector checked against exact rankings computed here, hybrid fusion checked against reciprocal
// rank fusion of those rankings, vectors returned by name, one vector updated or deleted while the
// others stay, and errors naming the vector.
// Usage: node qdrant-named.mjs http://127.0.0.1:6333 ; exits 0 when every step passed.
import assert from "node:assert/strict";
import { QdrantClient } from "@qdrant/js-client-rest";
import { cosine, step } from "./steps.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:6333";
const client = new QdrantClient({ url });
const name = "js_named_" + Date.now();
const n = 240;
const dim = 6;
const words = ["red", "green", "blue", "fast", "slow", "cat", "dog", "bird", "tree", "rock"];

const dense = (i) => Array.from({ length: dim }, (_, j) => Math.sin(i * 0.61 + j * 1.7) + (j === i % dim ? 0.8 : 0));
const image = (i) => [Math.cos(i), Math.sin(i), (i % 5) / 5];
/** Term counts of point i's "text": three words, a repeated one counted twice. */
function terms(i) {
  const counts = new Map();
  for (const w of [i % 10, (i * 3) % 10, (i * 7) % 10, i % 10]) counts.set(w, (counts.get(w) ?? 0) + 1);
  const indices = [...counts.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((k) => counts.get(k)) };
}
const hasImage = (i) => i % 4 !== 0;
const hasText = (i) => i % 5 !== 0;

/** Exact sparse scores with Qdrant's idf over the collection's points. */
function sparseScores(q) {
  const df = new Map();
  for (let i = 0; i < n; i++) if (hasText(i)) for (const k of terms(i).indices) df.set(k, (df.get(k) ?? 0) + 1);
  const scores = new Map();
  for (let i = 0; i < n; i++) {
    if (!hasText(i)) continue;
    const t = terms(i);
    let s = 0, hit = false;
    q.indices.forEach((k, qi) => {
      const at = t.indices.indexOf(k);
      if (at >= 0) {
        hit = true;
        const m = df.get(k) ?? 0;
        s += q.values[qi] * Math.log(1 + (n - m + 0.5) / (m + 0.5)) * t.values[at];
      }
    });
    if (hit) scores.set(i, s);
  }
  return scores;
}

await step("create a collection with named dense vectors and an idf sparse vector", async () => {
  assert.equal(await client.createCollection(name, {
    vectors: { dense: { size: dim, distance: "Cosine" }, image: { size: 3, distance: "Euclid", on_disk: true, hnsw_config: { m: 8 } } },
    sparse_vectors: { text: { modifier: "idf" } },
  }), true);
  const info = await client.getCollection(name);
  assert.deepEqual(info.config.params.vectors.dense, { size: dim, distance: "Cosine", on_disk: false });
  assert.equal(info.config.params.vectors.image.distance, "Euclid");
  assert.equal(info.config.params.vectors.image.on_disk, true);
  assert.equal(info.config.params.vectors.image.hnsw_config.m, 8);
  assert.equal(info.config.params.sparse_vectors.text.modifier, "idf");
  assert.equal(await client.updateCollection(name, { vectors: { image: { on_disk: false } } }), true);
  const after = await client.getCollection(name);
  assert.equal(after.config.params.vectors.image.on_disk, false);
  assert.equal(after.config.params.vectors.image.hnsw_config.m, 8, "settings not given stay");
  assert.equal(after.config.params.vectors.dense.on_disk, false);
});

await step("upsert points with named vectors, some lacking one", async () => {
  const points = [];
  for (let i = 0; i < n; i++) {
    const vector = { dense: dense(i) };
    if (hasImage(i)) vector.image = image(i);
    if (hasText(i)) vector.text = terms(i);
    points.push({ id: i, vector, payload: { words: [words[i % 10], words[(i * 3) % 10]], odd: i % 2 === 1 } });
  }
  for (let from = 0; from < n; from += 60) {
    await client.upsert(name, { wait: true, points: points.slice(from, from + 60) });
  }
  assert.equal((await client.count(name, { exact: true })).count, n);
});

await step("each vector is searched on its own, like brute force", async () => {
  const q = dense(1000);
  const byDense = await client.query(name, { query: q, using: "dense", limit: 10, params: { exact: true } });
  const want = [...Array(n).keys()].sort((a, b) => cosine(dense(b), q) - cosine(dense(a), q)).slice(0, 10);
  assert.deepEqual(byDense.points.map((p) => p.id), want);
  const iq = image(7.5);
  const byImage = await client.query(name, { query: iq, using: "image", limit: 5, params: { exact: true } });
  const dist = (a, b) => Math.hypot(...a.map((x, j) => x - b[j]));
  const wantImage = [...Array(n).keys()].filter(hasImage).sort((a, b) => dist(image(a), iq) - dist(image(b), iq)).slice(0, 5);
  assert.deepEqual(byImage.points.map((p) => p.id), wantImage);
  const sq = { indices: [2, 7], values: [1, 0.5] };
  const bySparse = await client.query(name, { query: sq, using: "text", limit: 8 });
  const scores = sparseScores(sq);
  const wantSparse = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 8);
  assert.deepEqual(bySparse.points.map((p) => p.score.toFixed(4)), wantSparse.map(([, s]) => s.toFixed(4)));
  for (const p of bySparse.points) assert.ok(Math.abs(scores.get(p.id) - p.score) < 1e-4, "score of " + p.id);
  const legacy = await (await fetch(url + "/collections/" + name + "/points/search", { // the older endpoint, by plain HTTP
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ vector: { name: "text", vector: sq }, limit: 3 }),
  })).json();
  assert.deepEqual(legacy.result.map((p) => p.id), bySparse.points.slice(0, 3).map((p) => p.id));
});

await step("hybrid query: dense and sparse prefetches fused by reciprocal rank", async () => {
  const q = dense(2000);
  const sq = { indices: [1, 4, 9], values: [1, 1, 1] };
  const denseRank = [...Array(n).keys()].sort((a, b) => cosine(dense(b), q) - cosine(dense(a), q)).slice(0, 20);
  const sparseRank = [...sparseScores(sq).entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 20).map(([i]) => i);
  const fused = new Map();
  for (const list of [denseRank, sparseRank]) list.forEach((id, r) => fused.set(id, (fused.get(id) ?? 0) + 1 / (r + 2)));
  const r = await client.query(name, {
    prefetch: [
      { query: q, using: "dense", limit: 20, params: { exact: true } },
      { query: sq, using: "text", limit: 20 },
    ],
    query: { rrf: { k: 2 } },
    limit: 10,
    with_payload: true,
  });
  assert.equal(r.points.length, 10);
  const want = [...fused.values()].sort((a, b) => b - a).slice(0, 10);
  r.points.forEach((p, i) => {
    assert.ok(Math.abs(p.score - fused.get(p.id)) < 1e-5, `fused score of ${p.id}`);
    assert.ok(Math.abs(p.score - want[i]) < 1e-5, `rank ${i}`);
    assert.ok(p.payload.words.length === 2);
  });
});

await step("vectors come back by name; one is updated or deleted while the others stay", async () => {
  let [p] = await client.retrieve(name, { ids: [1], with_vector: true });
  assert.deepEqual(Object.keys(p.vector).sort(), ["dense", "image", "text"]);
  assert.deepEqual(p.vector.text, terms(1));
  assert.ok(cosine(p.vector.dense, dense(1)) > 0.9999);
  [p] = await client.retrieve(name, { ids: [4], with_vector: true });
  assert.deepEqual(Object.keys(p.vector).sort(), ["dense", "text"], "point 4 has no image vector");
  await client.updateVectors(name, { wait: true, points: [{ id: 1, vector: { image: [9, 9, 9] } }] });
  await client.deleteVectors(name, { wait: true, points: [1], vector: ["text"] });
  [p] = await client.retrieve(name, { ids: [1], with_vector: true });
  assert.deepEqual(Object.keys(p.vector).sort(), ["dense", "image"]);
  assert.deepEqual(p.vector.image, [9, 9, 9]);
  const nearest = await client.query(name, { query: [9, 9, 9], using: "image", limit: 1 });
  assert.equal(nearest.points[0].id, 1);
  const text = await client.query(name, { query: terms(1), using: "text", limit: n });
  assert.ok(!text.points.some((x) => x.id === 1), "a deleted sparse vector is not searched");
});

await step("errors name the vector", async () => {
  const bad = async (request, status, pattern) => {
    const res = await fetch(url + "/collections/" + name + request.path, {
      method: request.method ?? "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request.body),
    });
    assert.equal(res.status, status, request.path + " " + JSON.stringify(request.body));
    assert.match((await res.json()).status.error, pattern);
  };
  await bad({ path: "/points/query", body: { query: dense(1), using: "nope" } }, 400, /nope/);
  await bad({ path: "/points/query", body: { query: dense(1), using: "text" } }, 400, /text/);
  await bad({ path: "/points?wait=true", method: "PUT", body: { points: [{ id: 9000, vector: { dense: [1, 2] } }] } },
    400, /points\[0\]\.vector\.dense has dimension 2/);
  await bad({ path: "/points?wait=true", method: "PUT", body: { points: [{ id: 9000, vector: { text: { indices: [1, 1], values: [1, 2] } } }] } },
    400, /points\[0\]\.vector\.text/);
  await bad({ path: "/points?wait=true", method: "PUT", body: { points: [{ id: 9000, vector: { text: { indices: [1], values: [1, 2] } } }] } },
    400, /same length/);
  assert.equal((await client.retrieve(name, { ids: [9000] })).length, 0);
});

await step("delete collection", async () => {
  assert.equal(await client.deleteCollection(name), true);
});

console.log("all steps passed");
