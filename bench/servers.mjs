// Starts the servers under test as child processes, so the load generator never shares their event loop.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..");

export const subjects = {
  bare: { label: "bare node:http", args: [join(here, "bare-server.mjs")], env: {} },
  shell: {
    label: "node18-typescript shell",
    args: [join(root, "template", "node18-typescript", "dist", "main.js")],
    env: { FUNCTION_DIR: join(here, "fixtures", "trivial") },
  },
};

/**
 * Spawns a subject on a free port; resolves { url, pid, stop } once it logs its port. Its stdout goes to a
 * file, not a pipe this process must drain: draining would steal CPU from the load generator and the server.
 */
export async function startSubject({ args, env }) {
  const logFile = join(mkdtempSync(join(tmpdir(), "bench-")), "stdout.log");
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, ...env, http_port: "0" },
    stdio: ["ignore", out, "inherit"],
  });
  closeSync(out);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  for (let waited = 0; waited < 10_000 && !exited; waited += 50) {
    const match = /listening on port: (\d+)/.exec(readFileSync(logFile, "utf8"));
    if (match) {
      return {
        url: `http://127.0.0.1:${match[1]}`,
        pid: child.pid,
        stop: () =>
          new Promise((done) => {
            child.once("exit", () => {
              rmSync(dirname(logFile), { recursive: true, force: true });
              done();
            });
            child.kill("SIGTERM");
          }),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start: ${readFileSync(logFile, "utf8")}`);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux; clock ticks of 10 ms). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export function rssMiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
