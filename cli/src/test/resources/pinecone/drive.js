// Drives an index host with Pinecone's official client: upserts records into two namespaces, then
// reads them back through the client's own list, fetch and describeIndexStats, and prints what it
// saw as one JSON line. Usage: node drive.js HOST API_KEY COUNT DIMENSION
const { Pinecone } = require('@pinecone-database/pinecone');

async function main() {
  const [host, apiKey, count, dimension] = process.argv.slice(2);
  const n = Number(count), dim = Number(dimension);
  const pc = new Pinecone({ apiKey });
  const index = pc.index({ host });
  const docs = index.namespace('docs');
  const records = [];
  for (let i = 0; i < n; i++) {
    const id = i % 3 === 0 ? `doc-${i}` : i % 3 === 1 ? String(i)
      : `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const values = Array.from({ length: dim }, (_, j) => Math.sin(i * 0.37 + j));
    records.push({ id, values, metadata: { lang: i % 2 ? 'fr' : 'en', n: i, tags: ['t' + (i % 4), 'all'] } });
  }
  for (let i = 0; i < records.length; i += 100) {
    await docs.upsert({ records: records.slice(i, i + 100) });
  }
  await index.upsert({ records: [{ id: 'elsewhere', values: Array(dim).fill(0.5) }] });

  let listed = 0, token;
  do {
    const page = await docs.listPaginated({ limit: 100, paginationToken: token });
    listed += page.vectors.length;
    token = page.pagination ? page.pagination.next : undefined;
  } while (token);
  const fetched = await docs.fetch({ ids: ['doc-0', '1', 'missing'] });
  const stats = await index.describeIndexStats();
  console.log(JSON.stringify({
    listed,
    fetched: Object.keys(fetched.records).sort(),
    doc0: fetched.records['doc-0'],
    namespaces: stats.namespaces,
    dimension: stats.dimension,
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
