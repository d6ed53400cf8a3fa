// LangChain's Qdrant vector store (@langchain/qdrant, unchanged) against a running VectorFlow
// server: fromTexts into a new collection, similarity search with and without scores, a metadata
// filter, addDocuments, delete by id, maximal marginal relevance and a retriever. The embedding
// is deterministic (words hashed into a fixed-size vector), so the expected answers are known.
// Usage: node langchain.mjs http://127.0.0.1:6333 ; exits 0 when every step passed.
import assert from "node:assert/strict";
import { Embeddings } from "@langchain/core/embeddings";
import { Document } from "@langchain/core/documents";
import { QdrantVectorStore } from "@langchain/qdrant";
import { step } from "./steps.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:6333";
const collectionName = "langchain_" + Date.now();
const DIM = 64;

/** Bag of words: each lower-cased word adds 1 at a position given by its hash; unit length. */
class HashEmbeddings extends Embeddings {
  constructor() {
    super({});
  }

  vector(text) {
    const v = new Array(DIM).fill(0);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      let h = 2166136261;
      for (const c of word) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
      v[(h >>> 0) % DIM] += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }

  async embedDocuments(texts) {
    return texts.map((t) => this.vector(t));
  }

  async embedQuery(text) {
    return this.vector(text);
  }
}

const texts = [
  "the cat sat on the mat",
  "the cat sat on the warm mat",
  "dogs chase balls in the park",
  "stock markets fell sharply today",
  "a recipe for tomato soup with basil",
  "the orbit of mars around the sun",
];
const metadatas = texts.map((t, i) => ({ source: i % 2 === 0 ? "even" : "odd", n: i }));
const embeddings = new HashEmbeddings();
let store;

await step("fromTexts creates the collection and stores the documents", async () => {
  store = await QdrantVectorStore.fromTexts(texts, metadatas, embeddings, { url, collectionName });
  const info = await store.client.getCollection(collectionName);
  assert.equal(info.points_count, texts.length);
});

await step("similaritySearch finds the document with the query's words first", async () => {
  const docs = await store.similaritySearch("dogs chase balls", 2);
  assert.equal(docs.length, 2);
  assert.equal(docs[0].pageContent, texts[2]);
  assert.deepEqual(docs[0].metadata, metadatas[2]);
});

await step("similaritySearchWithScore gives cosine scores, best first", async () => {
  const hits = await store.similaritySearchWithScore(texts[3], 3);
  assert.equal(hits[0][0].pageContent, texts[3]);
  assert.ok(Math.abs(hits[0][1] - 1) < 1e-5, "identical text scores 1, got " + hits[0][1]);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1][1] >= hits[i][1]);
});

await step("a metadata filter", async () => {
  const filter = { must: [{ key: "metadata.source", match: { value: "odd" } }] };
  const docs = await store.similaritySearch("the cat sat on the mat", 3, filter);
  assert.equal(docs.length, 3);
  assert.ok(docs.every((d) => d.metadata.source === "odd"));
  assert.equal(docs[0].pageContent, texts[1]);
});

const added = [
  new Document({ pageContent: "volcanoes erupt with molten lava", metadata: { source: "added" }, id: "7f1c3b4e-2a6d-4c8e-9f10-1a2b3c4d5e6f" }),
  new Document({ pageContent: "penguins live in antarctica", metadata: { source: "added" }, id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }),
];

await step("addDocuments, then they are found", async () => {
  await store.addDocuments(added);
  const docs = await store.similaritySearch("molten lava volcanoes", 1);
  assert.equal(docs[0].pageContent, added[0].pageContent);
  assert.equal(docs[0].id, added[0].id);
});

await step("delete by ids", async () => {
  await store.delete({ ids: [added[0].id] });
  const docs = await store.similaritySearch("molten lava volcanoes", 8);
  assert.ok(docs.every((d) => d.pageContent !== added[0].pageContent));
  assert.equal(docs.length, texts.length + 1);
});

await step("maxMarginalRelevanceSearch skips the near-duplicate", async () => {
  const plain = await store.similaritySearch("the cat sat on the mat", 2);
  assert.deepEqual(plain.map((d) => d.pageContent).sort(), [texts[0], texts[1]].sort());
  const diverse = await store.maxMarginalRelevanceSearch("the cat sat on the mat", { k: 2, fetchK: 6, lambda: 0.9 });
  assert.equal(diverse.length, 2);
  assert.equal(diverse[0].pageContent, texts[0]);
  assert.notEqual(diverse[1].pageContent, texts[1], "the near-duplicate should give way to a different document");
});

await step("asRetriever().invoke", async () => {
  const docs = await store.asRetriever({ k: 1 }).invoke("tomato soup recipe");
  assert.equal(docs.length, 1);
  assert.equal(docs[0].pageContent, texts[4]);
});

await step("fromExistingCollection reuses the collection", async () => {
  const again = await QdrantVectorStore.fromExistingCollection(embeddings, { url, collectionName });
  const docs = await again.similaritySearch("orbit of mars", 1);
  assert.equal(docs[0].pageContent, texts[5]);
  assert.equal(await again.client.deleteCollection(collectionName), true);
});

console.log("all steps passed");
