// Drives a running VectorFlow server with the official Qdrant JavaScript client
// (@qdrant/js-client-rest, pinned in package.json). Usage: node qdrant-client.mjs http://127.0.0.1:6333
// Exits 0 when every step gave the answer Qdrant would; prints the failing step otherwise.
import assert from "node:assert/strict";
import { QdrantClient } from "@qdrant/js-client-rest";
import { step } from "./steps.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:6333";
const client = new QdrantClient({ url, checkCompatibility: false });
const name = "js_client_" + Date.now();
const dim = 8;

function vec(i) {
  // Deterministic, distinct vectors.
  return Array.from({ length: dim }, (_, j) => Math.sin(i * 0.37 + j * 1.3) + (j === i % dim ? 1 : 0));
}

await step("collections are listed", async () => {
  const r = await client.getCollections();
  assert.ok(Array.isArray(r.collections));
});

await step("create collection", async () => {
  assert.equal(await client.createCollection(name, { vectors: { size: dim, distance: "Cosine" } }), true);
  assert.equal((await client.collectionExists(name)).exists, true);
});

await step("creating it again is refused", async () => {
  await assert.rejects(client.createCollection(name, { vectors: { size: dim, distance: "Cosine" } }));
});

await step("upsert points (list form, numeric and UUID ids)", async () => {
  const points = [];
  for (let i = 0; i < 200; i++) {
    points.push({ id: i, vector: vec(i), payload: { city: i % 4 === 0 ? "Berlin" : "London", n: i, tags: ["t" + (i % 3)] } });
  }
  points.push({ id: "5c56c793-69f3-4fbf-87e6-c4bf54c28c26", vector: vec(1000), payload: { city: "Paris", n: 1000 } });
  const r = await client.upsert(name, { wait: true, points });
  assert.equal(r.status, "completed");
});

await step("upsert points (batch form)", async () => {
  const ids = [300, 301, 302];
  const r = await client.upsert(name, {
    wait: true,
    batch: { ids, vectors: ids.map(vec), payloads: ids.map((i) => ({ city: "Rome", n: i })) },
  });
  assert.equal(r.status, "completed");
});

await step("payload index", async () => {
  const r = await client.createPayloadIndex(name, { field_name: "city", field_schema: "keyword", wait: true });
  assert.equal(r.status, "completed");
  await client.createPayloadIndex(name, { field_name: "n", field_schema: "integer", wait: true });
  const info = await client.getCollection(name);
  assert.equal(info.points_count, 204);
  assert.equal(info.config.params.vectors.size, dim);
  assert.equal(info.payload_schema.city.data_type, "keyword");
});

await step("query with filter", async () => {
  const r = await client.query(name, {
    query: vec(8),
    filter: { must: [{ key: "city", match: { value: "Berlin" } }] },
    limit: 5,
    with_payload: true,
  });
  assert.equal(r.points.length, 5);
  assert.equal(r.points[0].id, 8);
  for (const p of r.points) assert.equal(p.payload.city, "Berlin");
  for (let i = 1; i < r.points.length; i++) assert.ok(r.points[i - 1].score >= r.points[i].score);
});

await step("query by point id, with range filter", async () => {
  const r = await client.query(name, {
    query: 5,
    filter: { must: [{ key: "n", range: { gte: 100, lt: 150 } }] },
    limit: 3,
    with_payload: ["n"],
  });
  assert.equal(r.points.length, 3);
  for (const p of r.points) assert.ok(p.payload.n >= 100 && p.payload.n < 150);
});

await step("query batch, and the older search endpoints (which this client no longer wraps)", async () => {
  const q = await client.queryBatch(name, { searches: [{ query: vec(7), limit: 2 }, { query: vec(9), limit: 1 }] });
  assert.deepEqual(q.map((x) => x.points[0].id), [7, 9]);
  const post = async (path, body) => {
    const res = await fetch(url + "/collections/" + name + path, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    return (await res.json()).result;
  };
  const r = await post("/points/search", { vector: vec(3), limit: 3 });
  assert.equal(r[0].id, 3);
  const b = await post("/points/search/batch", { searches: [{ vector: vec(1), limit: 1 }, { vector: vec(2), limit: 1 }] });
  assert.deepEqual(b.map((x) => x[0].id), [1, 2]);
});

await step("update collection settings", async () => {
  assert.equal(await client.updateCollection(name, { hnsw_config: { ef_construct: 128 } }), true);
  const info = await client.getCollection(name);
  assert.equal(info.config.hnsw_config.ef_construct, 128);
  assert.equal(info.points_count, 204);
});

await step("scroll pages through every point", async () => {
  const seen = new Set();
  let offset = undefined;
  do {
    const r = await client.scroll(name, { limit: 64, offset, with_payload: false });
    r.points.forEach((p) => seen.add(String(p.id)));
    offset = r.next_page_offset ?? undefined;
  } while (offset !== undefined);
  assert.equal(seen.size, 204);
  const f = await client.scroll(name, { filter: { must: [{ key: "city", match: { value: "Rome" } }] }, limit: 10 });
  assert.deepEqual(f.points.map((p) => p.id), [300, 301, 302]);
});

await step("count", async () => {
  assert.equal((await client.count(name, { exact: true })).count, 204);
  const r = await client.count(name, { filter: { must: [{ key: "city", match: { any: ["Berlin", "Paris"] } }] }, exact: true });
  assert.equal(r.count, 51);
});

await step("retrieve by id", async () => {
  const r = await client.retrieve(name, { ids: [1, "5c56c793-69f3-4fbf-87e6-c4bf54c28c26"], with_vector: true });
  assert.equal(r.length, 2);
  assert.equal(r[1].payload.city, "Paris");
  assert.equal(r[0].vector.length, dim);
});

await step("set and delete payload", async () => {
  await client.setPayload(name, { payload: { checked: true }, points: [1, 2], wait: true });
  let r = await client.retrieve(name, { ids: [1] });
  assert.equal(r[0].payload.checked, true);
  assert.equal(r[0].payload.city, "London");
  await client.deletePayload(name, { keys: ["checked"], points: [1], wait: true });
  r = await client.retrieve(name, { ids: [1] });
  assert.equal(r[0].payload.checked, undefined);
  await client.overwritePayload(name, { payload: { only: "this" }, points: [2], wait: true });
  r = await client.retrieve(name, { ids: [2] });
  assert.deepEqual(r[0].payload, { only: "this" });
  await client.deletePayloadIndex(name, "n", { wait: true });
  assert.equal((await client.getCollection(name)).payload_schema.n, undefined);
});

await step("snapshots", async () => {
  const s = await client.createSnapshot(name);
  assert.ok(s.name.endsWith(".snapshot"));
  const list = await client.listSnapshots(name);
  assert.ok(list.some((x) => x.name === s.name));
  assert.equal(await client.deleteSnapshot(name, s.name), true);
});

await step("delete points by id and by filter", async () => {
  await client.delete(name, { points: [0, 4], wait: true });
  await client.delete(name, { filter: { must: [{ key: "city", match: { value: "Rome" } }] }, wait: true });
  assert.equal((await client.count(name, { exact: true })).count, 199);
  const r = await client.retrieve(name, { ids: [0, 300] });
  assert.equal(r.length, 0);
});

await step("errors reach the client as 4xx", async () => {
  await assert.rejects(client.query(name, { query: [1, 2, 3] }), (e) => e.status === 400);
  await assert.rejects(client.getCollection("no_such_collection_here"), (e) => e.status === 404);
});

await step("delete collection", async () => {
  assert.equal(await client.deleteCollection(name), true);
  assert.equal((await client.collectionExists(name)).exists, false);
});

console.log("all steps passed");
