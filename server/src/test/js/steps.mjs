// The step runner the client scripts share: runs one checked step, prints "ok" or the failure
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
