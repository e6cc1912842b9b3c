// payment (JWT + validation + processor simulator + store write) against the template's trivial
// handler, both through the shell, with the same POST load: what the function's own work costs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jwt from "jsonwebtoken";
import { root, rssMiB, startSubject, subjects } from "./servers.mjs";
import { alternate, fmt, medianOfRuns, printTable } from "./stats.mjs";
import { CONNECTIONS, measure } from "./wrk.mjs";

const script = join(import.meta.dirname, "post-order.lua");

export async function paymentVsTrivial({ rounds, seconds }) {
  const dir = mkdtempSync(join(tmpdir(), "bench-payment-"));
  const secret = "bench-only-hmac-secret-of-at-least-32-bytes";
  writeFileSync(join(dir, "jwt-secret"), secret);
  writeFileSync(join(dir, "payment-api-key"), "bench-kiosk-key");
  const token = jwt.sign({ iss: "coffee-edge", aud: "payment", scope: "payments:write", sub: "bench" }, secret, {
    algorithm: "HS256",
    expiresIn: "1h",
  });
  const servers = {
    trivial: await startSubject(subjects.shell),
    payment: await startSubject({
      args: subjects.shell.args,
      env: {
        FUNCTION_DIR: join(root, "functions", "payment"),
        secret_mount_path: dir,
        DATABASE_URL: `sqlite:${join(dir, "payment.db")}`,
      },
    }),
  };
  let runNumber = 0;
  const load = (name, duration) =>
    measure(servers[name], duration, { script, env: { BENCH_TOKEN: token, BENCH_RUN: String(runNumber++) } });
  try {
    for (const name of Object.keys(servers)) await load(name, 1); // warm-up
    const runs = await alternate(["trivial", "payment"], rounds, (name) => load(name, seconds));
    const memory = Object.fromEntries(Object.keys(servers).map((name) => [name, rssMiB(servers[name].pid)]));
    const trivial = medianOfRuns(runs.trivial);
    const payment = medianOfRuns(runs.payment);
    printTable(
      `payment vs the trivial handler, both through the shell: wrk, ${CONNECTIONS} connections, POST of a new order each time (HS256 JWT), SQLite, ${rounds} rounds × ${seconds} s`,
      [
        ["metric (median of rounds)", "trivial handler", "payment", "payment / trivial"],
        ["requests/s", fmt(trivial.rps), fmt(payment.rps), fmt(payment.rps / trivial.rps, 2)],
        ["p50 latency ms", fmt(trivial.p50, 3), fmt(payment.p50, 3), fmt(payment.p50 / trivial.p50, 2)],
        ["p99 latency ms", fmt(trivial.p99, 3), fmt(payment.p99, 3), fmt(payment.p99 / trivial.p99, 2)],
        [
          "server CPU µs/request",
          fmt(trivial.cpuUsPerRequest, 1),
          fmt(payment.cpuUsPerRequest, 1),
          fmt(payment.cpuUsPerRequest / trivial.cpuUsPerRequest, 2),
        ],
        [
          "server RSS after load MiB",
          fmt(memory.trivial, 1),
          fmt(memory.payment, 1),
          fmt(memory.payment / memory.trivial, 2),
        ],
      ],
    );
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
