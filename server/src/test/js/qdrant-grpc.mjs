// The official Qdrant JavaScript gRPC client (@qdrant/js-client-grpc) against a running
// VectorFlow server's gRPC port, through the common calls: health, collections, upsert, get,
// search, query with a filter, scroll, count, payload, delete, and named dense + sparse vectors
// with a hybrid query.
// Usage: node qdrant-grpc.mjs 127.0.0.1 6334 ; exits 0 when every step passed.
import assert from "node:assert/strict";
import { QdrantClient, Distance } from "@qdrant/js-client-grpc";
import { step } from "./steps.mjs";

const host = process.argv[2] ?? "127.0.0.1";
const port = Number(process.argv[3] ?? 6334);
const client = new QdrantClient({ host, port, checkCompatibility: false });
const name = "js_grpc_" + Date.now();
const dim = 4;
const n = 50;

function vec(i) {
  return Array.from({ length: dim }, (_, j) => Math.cos(i * 0.7 + j) + (j === i % dim ? 1 : 0));
}

const id = (i) => ({ pointIdOptions: { case: "num", value: BigInt(i) } });
const str = (s) => ({ kind: { case: "stringValue", value: s } });
const int = (x) => ({ kind: { case: "integerValue", value: BigInt(x) } });

await step("health check reports a Qdrant version", async () => {
  const r = await client.api("service").healthCheck({});
  assert.match(r.version, /^1\.\d+\.\d+$/);
});

await step("create, list and read a collection", async () => {
  await client.api("collections").create({
    collectionName: name,
    vectorsConfig: { config: { case: "params", value: { size: BigInt(dim), distance: Distance.Cosine } } },
  });
  const list = await client.api("collections").list({});
  assert.ok(list.collections.some((c) => c.name === name));
  const info = await client.api("collections").get({ collectionName: name });
  assert.equal(info.result.config.params.vectorsConfig.config.value.size, BigInt(dim));
});

await step("upsert points with payloads", async () => {
  const points = [];
  for (let i = 0; i < n; i++) {
    points.push({
      id: id(i),
      vectors: { vectorsOptions: { case: "vector", value: { vector: { case: "dense", value: { data: vec(i) } } } } },
      payload: { city: str(i % 2 ? "London" : "Berlin"), n: int(i) },
    });
  }
  const r = await client.api("points").upsert({ collectionName: name, wait: true, points });
  assert.ok(r.result.status >= 1);
});

await step("get a point: payload and vector come back", async () => {
  const r = await client.api("points").get({
    collectionName: name, ids: [id(7)],
    withPayload: { selectorOptions: { case: "enable", value: true } },
    withVectors: { selectorOptions: { case: "enable", value: true } },
  });
  assert.equal(r.result.length, 1);
  assert.equal(r.result[0].payload.city.kind.value, "London");
  assert.equal(r.result[0].payload.n.kind.value, 7n);
  const out = r.result[0].vectors.vectorsOptions.value;
  assert.equal((out.vector?.value?.data ?? out.data).length, dim);
});

await step("search: a stored vector finds itself first", async () => {
  const r = await client.api("points").search({ collectionName: name, vector: vec(11), limit: 3n });
  assert.equal(r.result[0].id.pointIdOptions.value, 11n);
  assert.ok(Math.abs(r.result[0].score - 1) < 1e-4);
});

await step("query with a filter returns only matches", async () => {
  const r = await client.api("points").query({
    collectionName: name,
    query: { variant: { case: "nearest", value: { variant: { case: "dense", value: { data: vec(3) } } } } },
    filter: { must: [{ conditionOneOf: { case: "field", value: { key: "city", match: { matchValue: { case: "keyword", value: "Berlin" } } } } }] },
    limit: 10n,
    withPayload: { selectorOptions: { case: "enable", value: true } },
  });
  assert.equal(r.result.length, 10);
  assert.ok(r.result.every((p) => p.payload.city.kind.value === "Berlin"));
});

await step("scroll pages every point once, and count", async () => {
  const seen = new Set();
  let offset;
  do {
    const r = await client.api("points").scroll({ collectionName: name, limit: 16, ...(offset ? { offset } : {}) });
    r.result.forEach((p) => {
      assert.ok(!seen.has(p.id.pointIdOptions.value));
      seen.add(p.id.pointIdOptions.value);
    });
    offset = r.nextPageOffset;
  } while (offset);
  assert.equal(seen.size, n);
  const c = await client.api("points").count({ collectionName: name, exact: true });
  assert.equal(c.result.count, BigInt(n));
});

await step("set payload, then delete points by filter", async () => {
  await client.api("points").setPayload({
    collectionName: name, wait: true, payload: { checked: { kind: { case: "boolValue", value: true } } },
    pointsSelector: { pointsSelectorOneOf: { case: "points", value: { ids: [id(1)] } } },
  });
  await client.api("points").delete({
    collectionName: name, wait: true,
    points: { pointsSelectorOneOf: { case: "filter", value: { must: [{ conditionOneOf: { case: "field",
      value: { key: "city", match: { matchValue: { case: "keyword", value: "London" } } } } }] } } },
  });
  const c = await client.api("points").count({ collectionName: name, exact: true });
  assert.equal(c.result.count, BigInt(n / 2));
});

await step("errors carry Qdrant's status codes", async () => {
  await assert.rejects(client.api("collections").get({ collectionName: "no_such_collection" }), (e) => e.code === 5); // NotFound
  await assert.rejects(client.api("points").search({ collectionName: name, vector: [1, 2], limit: 1n }), (e) => e.code === 3);
});

await step("named dense and sparse vectors: hybrid query fused by reciprocal rank", async () => {
  const hybrid = name + "_hybrid";
  await client.api("collections").create({
    collectionName: hybrid,
    vectorsConfig: { config: { case: "paramsMap", value: { map: { dense: { size: BigInt(dim), distance: Distance.Cosine } } } } },
    sparseVectorsConfig: { map: { words: {} } },
  });
  const sparse = (i) => ({ indices: [i % 5, 10 + (i % 3)], values: [1, 2] });
  const points = [];
  for (let i = 0; i < 30; i++) {
    const vectors = { dense: { vector: { case: "dense", value: { data: vec(i) } } } };
    if (i % 2 === 0) vectors.words = { vector: { case: "sparse", value: sparse(i) } };
    points.push({ id: id(i), vectors: { vectorsOptions: { case: "vectors", value: { vectors } } } });
  }
  await client.api("points").upsert({ collectionName: hybrid, wait: true, points });
  const q = { indices: [2, 11], values: [1, 1] };
  const bySparse = await client.api("points").query({
    collectionName: hybrid, using: "words", limit: 30n,
    query: { variant: { case: "nearest", value: { variant: { case: "sparse", value: q } } } },
  });
  // Exact: point i (even) scores 1 when i % 5 == 2, plus 2 when 10 + i % 3 == 11.
  const expected = [...Array(30).keys()].filter((i) => i % 2 === 0)
    .map((i) => [i, (i % 5 === 2 ? 1 : 0) + (i % 3 === 1 ? 2 : 0)]).filter(([, s]) => s > 0);
  assert.equal(bySparse.result.length, expected.length);
  for (const p of bySparse.result) {
    assert.equal(p.score, new Map(expected).get(Number(p.id.pointIdOptions.value)));
  }
  const fused = await client.api("points").query({
    collectionName: hybrid, limit: 5n,
    prefetch: [
      { using: "dense", limit: 10n, query: { variant: { case: "nearest", value: { variant: { case: "dense", value: { data: vec(4) } } } } } },
      { using: "words", limit: 10n, query: { variant: { case: "nearest", value: { variant: { case: "sparse", value: q } } } } },
    ],
    query: { variant: { case: "fusion", value: 0 } }, // RRF
    withVectors: { selectorOptions: { case: "enable", value: true } },
  });
  assert.equal(fused.result.length, 5);
  assert.equal(fused.result[0].id.pointIdOptions.value, 4n, "point 4 leads the dense ranking and is in the sparse one");
  const got = fused.result[0].vectors.vectorsOptions.value.vectors;
  assert.deepEqual(Object.keys(got).sort(), ["dense", "words"]);
  assert.deepEqual(got.words.vector.value.indices, [4, 11]);
  await client.api("collections").delete({ collectionName: hybrid });
});

await step("delete the collection", async () => {
  const r = await client.api("collections").delete({ collectionName: name });
  assert.equal(r.result, true);
});

console.log("all steps passed");
