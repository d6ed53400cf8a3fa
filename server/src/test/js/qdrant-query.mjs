// The query API and the request shapes frameworks send, through the official Qdrant JavaScript
// client (@qdrant/js-client-rest): the version check, hybrid queries with fusion checked against
// fusion computed here from exact rankings, maximal marginal relevance, recommend, discover,
// context, order_by, groups, the unnamed vector written as a map, and array key paths.
// Usage: node qdrant-query.mjs http://127.0.0.1:6333 ; exits 0 when every step passed.
import assert from "node:assert/strict";
import { QdrantClient } from "@qdrant/js-client-rest";
import { cosine, step } from "./steps.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:6333";
const warnings = [];
const realWarn = console.warn;
console.warn = (...args) => warnings.push(args.join(" "));
const client = new QdrantClient({ url }); // with the version check on, as applications construct it
const name = "js_query_" + Date.now();
const dim = 8;
const n = 300;

function vec(i) {
  return Array.from({ length: dim }, (_, j) => Math.sin(i * 0.37 + j * 1.3) + (j === i % dim ? 1 : 0));
}

/** Ids of all points, best first, by cosine similarity to q (exact). */
function exactRanking(q, filter = () => true) {
  return [...Array(n).keys()].filter(filter).sort((a, b) => cosine(vec(b), q) - cosine(vec(a), q) || a - b);
}

/** The older endpoints, which this client version no longer wraps, by plain HTTP. */
async function post(path, body) {
  const res = await fetch(url + "/collections/" + name + path, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json.result;
}

await step("the server's version passes the client's compatibility check", async () => {
  const info = await client.versionInfo();
  assert.match(info.version, /^1\.\d+\.\d+$/);
  await new Promise((r) => setTimeout(r, 200)); // the client checks in the background
  assert.deepEqual(warnings.filter((w) => /incompatible/i.test(w)), []);
  console.warn = realWarn;
});

await step("deleting a collection that does not exist answers false", async () => {
  assert.equal(await client.deleteCollection(name + "_missing"), false);
});

await step("create with the unnamed vector written as a map and empty sparse vectors (as LangChain does)", async () => {
  assert.equal(await client.createCollection(name, { vectors: { "": { size: dim, distance: "Cosine" } }, sparse_vectors: {} }), true);
  const points = [];
  for (let i = 0; i < n; i++) {
    points.push({ id: i, vector: i % 2 ? vec(i) : { "": vec(i) },
      payload: { n: i, group: "g" + (i % 7), items: [{ k: "k" + (i % 5) }, { k: "all" }] } });
  }
  assert.equal((await client.upsert(name, { wait: true, points })).status, "completed");
  const info = await client.getCollection(name);
  assert.equal(info.points_count, n);
});

await step("query with using \"\" and an array key path", async () => {
  const q = vec(1000);
  const r = await client.query(name, { query: q, using: "", limit: 5, params: { exact: true },
    filter: { must: [{ key: "items[].k", match: { value: "k2" } }] }, with_payload: true });
  assert.deepEqual(r.points.map((p) => p.id), exactRanking(q, (i) => i % 5 === 2).slice(0, 5));
  const none = await client.count(name, { filter: { must: [{ key: "items[].k", match: { value: "nope" } }] } });
  assert.equal(none.count, 0);
});

await step("prefetch from two queries fused with rrf, checked against rrf of the exact rankings", async () => {
  const a = vec(2001), b = vec(2002);
  const r = await client.query(name, {
    prefetch: [{ query: a, limit: 20, params: { exact: true } }, { query: b, limit: 20, params: { exact: true } }],
    query: { fusion: "rrf" }, limit: 10,
  });
  const fused = new Map();
  for (const ranking of [exactRanking(a).slice(0, 20), exactRanking(b).slice(0, 20)]) {
    ranking.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + 1 / (rank + 2)));
  }
  const expected = [...fused.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 10);
  assert.deepEqual(r.points.map((p) => p.score.toFixed(5)), expected.map((e) => e[1].toFixed(5)));
  assert.deepEqual(new Set(r.points.map((p) => p.id)), new Set(expected.map((e) => e[0])));
});

await step("rrf with k and weights, and dbsf", async () => {
  const a = vec(2001), b = vec(2002);
  const prefetch = [{ query: a, limit: 20, params: { exact: true } }, { query: b, limit: 20, params: { exact: true } }];
  const r = await client.query(name, { prefetch, query: { rrf: { k: 60 } }, limit: 3 });
  assert.equal(r.points.length, 3);
  assert.ok(r.points[0].score <= 2 / 61 + 1e-6);
  const d = await client.query(name, { prefetch, query: { fusion: "dbsf" }, limit: 5 });
  assert.equal(d.points.length, 5);
  for (let i = 1; i < d.points.length; i++) assert.ok(d.points[i - 1].score >= d.points[i].score);
});

await step("a prefetch re-ranked by another vector", async () => {
  const a = vec(3001), b = vec(3002);
  const r = await client.query(name, { prefetch: { query: a, limit: 50, params: { exact: true } }, query: b, limit: 5 });
  const candidates = new Set(exactRanking(a).slice(0, 50));
  assert.deepEqual(r.points.map((p) => p.id), exactRanking(b, (i) => candidates.has(i)).slice(0, 5));
});

await step("maximal marginal relevance picks the most relevant first, then diverse points", async () => {
  const q = vec(7);
  const r = await client.query(name, { query: { nearest: q, mmr: { diversity: 0.9, candidates_limit: 50 } }, limit: 5,
    with_vector: true, params: { exact: true } });
  assert.equal(r.points.length, 5);
  assert.equal(r.points[0].id, exactRanking(q)[0]);
  const plain = exactRanking(q).slice(0, 5);
  assert.notDeepEqual(r.points.map((p) => p.id), plain);
  assert.ok(Array.isArray(r.points[0].vector));
});

await step("recommend: average vector, best score and sum of scores leave the examples out", async () => {
  for (const strategy of ["average_vector", "best_score", "sum_scores"]) {
    const r = await client.query(name, { query: { recommend: { positive: [10, 11], negative: [12], strategy } }, limit: 5 });
    assert.equal(r.points.length, 5, strategy);
    assert.ok(r.points.every((p) => ![10, 11, 12].includes(p.id)), strategy);
  }
  const legacy = await post("/points/recommend", { positive: [10], negative: [12], strategy: "best_score", limit: 3 });
  assert.equal(legacy.length, 3);
});

await step("discover and context search", async () => {
  const r = await client.query(name, { query: { discover: { target: vec(40), context: [{ positive: 41, negative: 42 }] } }, limit: 5 });
  assert.equal(r.points.length, 5);
  const c = await client.query(name, { query: { context: [{ positive: 41, negative: 42 }] }, limit: 5 });
  assert.equal(c.points.length, 5);
  assert.ok(c.points.every((p) => p.score <= 0));
  const legacy = await post("/points/discover", { target: 40, context: [{ positive: 41, negative: 42 }], limit: 3 });
  assert.equal(legacy.length, 3);
});

await step("order_by a payload value, with start_from", async () => {
  const r = await client.query(name, { query: { order_by: { key: "n", direction: "desc", start_from: 100 } }, limit: 3 });
  assert.deepEqual(r.points.map((p) => p.id), [100, 99, 98]);
  assert.deepEqual(r.points.map((p) => p.order_value), [100, 99, 98]);
});

await step("groups: query/groups and search/groups", async () => {
  const q = vec(5000);
  const r = await client.queryGroups(name, { query: q, group_by: "group", group_size: 2, limit: 3, params: { exact: true } });
  assert.equal(r.groups.length, 3);
  for (const g of r.groups) {
    assert.equal(g.hits.length, 2);
    assert.ok(g.hits.every((h) => "g" + (h.id % 7) === g.id));
  }
  const s = await post("/points/search/groups", { vector: q, group_by: "group", group_size: 1, limit: 7 });
  assert.equal(s.groups.length, 7);
});

await step("query batch mixes kinds of query", async () => {
  const r = await client.queryBatch(name, { searches: [
    { query: vec(1), limit: 2 },
    { query: { recommend: { positive: [3] } }, limit: 2 },
    { prefetch: [{ query: vec(2) }, { query: vec(3) }], query: { fusion: "rrf" }, limit: 2 },
  ] });
  assert.deepEqual(r.map((x) => x.points.length), [2, 2, 2]);
});

await step("unsupported query shapes are refused with a 400 naming them", async () => {
  await assert.rejects(client.query(name, { query: { fusion: "rrf" } }), (e) => e.status === 400);
  await assert.rejects(client.query(name, { query: vec(1), using: "image" }), (e) => e.status === 400);
  await assert.rejects(client.query(name, { query: { recommend: { positive: [999999] } } }), (e) => e.status === 404);
});

await step("filters: is_null, values_count, nested, full text, datetime and geo, with and without payload indexes", async () => {
  const f = name + "_filters";
  await client.createCollection(f, { vectors: { size: 2, distance: "Dot" } });
  const cities = [[13.40, 52.52], [2.35, 48.86], [-0.13, 51.51], [139.69, 35.69]]; // Berlin, Paris, London, Tokyo
  const points = cities.map(([lon, lat], i) => ({ id: i + 1, vector: [1, i], payload: {
    loc: { lon, lat }, note: i === 0 ? null : "n" + i, tags: Array(i + 1).fill("t"),
    people: [{ name: "ann", age: 20 + i }, { name: "bob", age: 50 }],
    text: ["the quick brown fox", "a lazy dog sleeps", "quick dogs run", "brown bears fish"][i],
    at: "2024-0" + (i + 1) + "-15T12:00:00Z" } }));
  await client.upsert(f, { wait: true, points });
  const ids = async (filter) => (await client.scroll(f, { filter, limit: 10 })).points.map((p) => p.id).sort();
  for (const indexed of [false, true]) {
    assert.deepEqual(await ids({ must: [{ is_null: { key: "note" } }] }), [1], "is_null " + indexed);
    assert.deepEqual(await ids({ must: [{ key: "tags", values_count: { gte: 3 } }] }), [3, 4]);
    assert.deepEqual(await ids({ must: [{ nested: { key: "people", filter: { must: [
      { key: "name", match: { value: "ann" } }, { key: "age", range: { gte: 22 } }] } } }] }), [3, 4]);
    assert.deepEqual(await ids({ must: [{ key: "people[].age", range: { gte: 50 } }] }), [1, 2, 3, 4]);
    assert.deepEqual(await ids({ must: [{ key: "text", match: { text: "Quick" } }] }), [1, 3], "text " + indexed);
    assert.deepEqual(await ids({ must: [{ key: "text", match: { text: "quick fox" } }] }), [1]);
    assert.deepEqual(await ids({ must: [{ key: "text", match: { phrase: "brown fox" } }] }), [1]);
    assert.deepEqual(await ids({ must: [{ key: "at", range: { gte: "2024-02-01T00:00:00Z", lt: "2024-04-01" } }] }), [2, 3],
      "datetime " + indexed);
    assert.deepEqual(await ids({ must: [{ key: "loc", geo_radius: { center: { lon: 13.4, lat: 52.5 }, radius: 1200000 } }] }),
      [1, 2, 3]);
    assert.deepEqual(await ids({ must: [{ key: "loc", geo_bounding_box: { top_left: { lon: -1, lat: 53 },
      bottom_right: { lon: 14, lat: 48 } } }] }), [1, 2, 3]);
    assert.deepEqual(await ids({ must: [{ key: "loc", geo_polygon: { exterior: { points: [{ lon: 0, lat: 45 }, { lon: 20, lat: 45 },
      { lon: 20, lat: 60 }, { lon: 0, lat: 60 }, { lon: 0, lat: 45 }] } } }] }), [1, 2]);
    if (!indexed) {
      for (const [field_name, field_schema] of [["text", { type: "text", tokenizer: "word", lowercase: true }], ["at", "datetime"],
        ["loc", "geo"], ["note", "keyword"]]) {
        assert.equal((await client.createPayloadIndex(f, { field_name, field_schema, wait: true })).status, "completed");
      }
    }
  }
  const schema = (await client.getCollection(f)).payload_schema;
  assert.equal(schema.text.data_type, "text");
  assert.equal(schema.at.data_type, "datetime");
  await client.deleteCollection(f);
});

await step("aliases: create, answer through, list, switch atomically, rename, delete", async () => {
  const alias = name + "_live";
  const other = name + "_other";
  await client.createCollection(other, { vectors: { size: dim, distance: "Cosine" } });
  await client.upsert(other, { wait: true, points: [{ id: 1, vector: vec(1) }] });
  assert.equal(await client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: name, alias_name: alias } }] }), true);
  assert.equal((await client.count(alias, {})).count, n);
  assert.ok((await client.getAliases()).aliases.some((a) => a.alias_name === alias && a.collection_name === name));
  assert.deepEqual((await client.getCollectionAliases(name)).aliases, [{ alias_name: alias, collection_name: name }]);
  await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: alias } },
    { create_alias: { collection_name: other, alias_name: alias } }] });
  assert.equal((await client.count(alias, {})).count, 1);
  await assert.rejects(client.updateCollectionAliases({ actions: [{ rename_alias: { old_alias_name: alias, new_alias_name: "x_" + alias } },
    { delete_alias: { alias_name: "no_such_alias" } }] }), (e) => e.status === 404);
  assert.equal((await client.count(alias, {})).count, 1, "a failed batch of alias actions changes nothing");
  await client.updateCollectionAliases({ actions: [{ rename_alias: { old_alias_name: alias, new_alias_name: alias + "2" } }] });
  await assert.rejects(client.count(alias, {}), (e) => e.status === 404);
  await client.deleteCollection(other);
  assert.ok(!(await client.getAliases()).aliases.some((a) => a.collection_name === other), "dropping a collection drops its aliases");
});

await step("batch update, update vectors and facet counts", async () => {
  const r = await client.batchUpdate(name, { wait: true, operations: [
    { upsert: { points: [{ id: 5000, vector: vec(5000), payload: { group: "new" } }] } },
    { set_payload: { payload: { extra: 1 }, points: [5000] } },
    { delete: { points: [5000] } },
    { upsert: { points: [{ id: 5001, vector: vec(5001), payload: { group: "new" } }] } },
  ] });
  assert.equal(r.length, 4);
  assert.ok(r.every((x) => x.status === "completed"));
  assert.deepEqual((await client.retrieve(name, { ids: [5000, 5001] })).map((p) => p.id), [5001]);
  await assert.rejects(client.batchUpdate(name, { operations: [{ upsert: { points: [{ id: 5002, vector: vec(1) }] } },
    { teleport: {} }] }), (e) => e.status === 400);
  assert.equal((await client.retrieve(name, { ids: [5002] })).length, 0, "a malformed batch changes nothing");
  await client.updateVectors(name, { wait: true, points: [{ id: 5001, vector: vec(1) }] });
  const [p] = await client.retrieve(name, { ids: [5001], with_vector: true, with_payload: true });
  assert.deepEqual(p.payload, { group: "new" });
  assert.ok(cosine(p.vector, vec(1)) > 0.9999);
  await assert.rejects(client.updateVectors(name, { points: [{ id: 999999, vector: vec(1) }] }), (e) => e.status === 404);
  const f = await client.facet(name, { key: "group", limit: 3 });
  assert.equal(f.hits.length, 3);
  const expected = new Map();
  for (let i = 0; i < n; i++) expected.set("g" + (i % 7), (expected.get("g" + (i % 7)) ?? 0) + 1);
  for (const h of f.hits) assert.equal(h.count, expected.get(h.value));
  const filtered = await client.facet(name, { key: "group", filter: { must: [{ key: "n", range: { lt: 7 } }] } });
  assert.equal(filtered.hits.length, 7);
  assert.ok(filtered.hits.every((h) => h.count === 1));
  await client.delete(name, { wait: true, points: [5001] });
});

await step("delete collection", async () => {
  assert.equal(await client.deleteCollection(name), true);
});

console.log("all steps passed");
