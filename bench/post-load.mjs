// A small POST load generator for the async section: `clients` callers, each on its own keep-alive connection,
// POST a small body again and again for the given seconds and count the answers that are `expectStatus`.
// undici's Pool rather than fetch: the client's own cost should be as small as a Node client can make it.
import { performance } from "node:perf_hooks";
import { Pool } from "undici";

export const BODY = Buffer.from(JSON.stringify({ store: "bench", order: 42, items: ["espresso", "croissant"] }));

/** { rps, p50, p99 (ms), count }; throws on the first answer that is not `expectStatus`, or a transport error. */
export async function postLoad(url, path, seconds, { clients = 32, expectStatus = 202 } = {}) {
  const pool = new Pool(url, { connections: clients, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const latencies = [];
  let failure;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const caller = async () => {
    while (failure === undefined && performance.now() < deadline) {
      const sent = performance.now();
      try {
        const { statusCode, body } = await pool.request({
          method: "POST",
          path,
          headers: { "content-type": "application/json" },
          body: BODY,
        });
        const text = await body.text();
        if (statusCode !== expectStatus) {
          failure ??= new Error(`POST ${url}${path} answered ${statusCode}: ${text.slice(0, 300)}`);
          return;
        }
      } catch (error) {
        failure ??= error;
        return;
      }
      latencies.push(performance.now() - sent);
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, caller));
  } finally {
    await pool.close();
  }
  if (failure) throw failure;
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return {
    rps: latencies.length / elapsedSeconds,
    p50: percentile(0.5),
    p99: percentile(0.99),
    count: latencies.length,
  };
}
