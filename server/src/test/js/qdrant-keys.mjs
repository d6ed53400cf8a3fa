// The official Qdrant JavaScript clients with API keys, the way users of a secured Qdrant pass
// them (the apiKey option): REST (@qdrant/js-client-rest) and gRPC (@qdrant/js-client-grpc).
// Usage: node qdrant-keys.mjs http://127.0.0.1:6333 127.0.0.1 6334 <admin key> <read-only key>
// Exits 0 when every step passed.
import assert from "node:assert/strict";
import { QdrantClient } from "@qdrant/js-client-rest";
import { QdrantClient as QdrantGrpcClient } from "@qdrant/js-client-grpc";
import { step } from "./steps.mjs";

const [url, host, port, adminKey, readKey] = process.argv.slice(2);
const admin = new QdrantClient({ url, apiKey: adminKey, https: false, checkCompatibility: false });
const reader = new QdrantClient({ url, apiKey: readKey, checkCompatibility: false });
const anonymous = new QdrantClient({ url, checkCompatibility: false });
const wrong = new QdrantClient({ url, apiKey: "not-the-key", checkCompatibility: false });
const name = "js_keys_" + Date.now();

const status = async (promise) => {
  try {
    await promise;
    return 200;
  } catch (e) {
    return e.status ?? e.response?.status ?? -1;
  }
};

await step("without a key or with a wrong one the REST API answers 401", async () => {
  assert.equal(await status(anonymous.getCollections()), 401);
  assert.equal(await status(wrong.getCollections()), 401);
});

await step("the admin key creates a collection and writes points", async () => {
  assert.equal(await admin.createCollection(name, { vectors: { size: 3, distance: "Dot" } }), true);
  await admin.upsert(name, { wait: true, points: [1, 2, 3].map((i) => ({ id: i, vector: [i, 1, 0], payload: { i } })) });
  assert.equal((await admin.count(name, { exact: true })).count, 3);
});

await step("the read-only key searches but cannot write or drop", async () => {
  const hits = await reader.query(name, { query: [1, 0, 0], limit: 2 });
  assert.deepEqual(hits.points.map((h) => h.id), [3, 2]);
  assert.equal(await status(reader.upsert(name, { wait: true, points: [{ id: 9, vector: [1, 1, 1] }] })), 403);
  assert.equal(await status(reader.deleteCollection(name)), 403);
});

await step("the gRPC client's apiKey is checked the same way", async () => {
  const grpcAdmin = new QdrantGrpcClient({ host, port: Number(port), apiKey: adminKey, https: false, checkCompatibility: false });
  const grpcReader = new QdrantGrpcClient({ host, port: Number(port), apiKey: readKey, https: false, checkCompatibility: false });
  const grpcAnonymous = new QdrantGrpcClient({ host, port: Number(port), checkCompatibility: false });
  const list = await grpcAdmin.api("collections").list({});
  assert.ok(list.collections.some((c) => c.name === name));
  const count = await grpcReader.api("points").count({ collectionName: name, exact: true });
  assert.equal(count.result.count, 3n);
  await assert.rejects(grpcAnonymous.api("collections").list({}), /unauthenticated|api key/i);
  await assert.rejects(grpcReader.api("collections").delete({ collectionName: name }), /permission|may not/i);
});

await step("the admin key drops the collection", async () => {
  assert.equal(await admin.deleteCollection(name), true);
});

console.log("all steps passed");
