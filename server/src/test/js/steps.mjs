// What the client scripts share: the step runner runs one checked step, prints "ok" or the failure
// (with the server's error body when the client attached one) and exits 1 on the first failure.
export async function step(label, fn) {
  try {
    await fn();
    console.log("ok   " + label);
  } catch (e) {
    console.error("FAIL " + label + ": " + (e?.stack ?? e));
    if (e?.data) console.error(JSON.stringify(e.data));
    process.exit(1);
  }
}

/** Cosine similarity of two vectors, computed here (the expected answers do not come from the server). */
export function cosine(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
}
