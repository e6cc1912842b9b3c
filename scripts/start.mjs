// npm start — for now, the one runnable piece: the sample function of stack.yml, served by the template's
// shell on GATEWAY_PORT (default 8080). The OpenFaaS-compatible gateway, broker and connectors replace this
// with `coffee-edge up` (issues 4–6); until then this says so instead of pretending.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.GATEWAY_PORT ?? "8080";
if (!/^\d+$/.test(port) || Number(port) > 65535) {
  console.error(`GATEWAY_PORT: expected a port number, got "${port}"`);
  process.exit(1);
}
const child = spawn(process.execPath, [join(root, "template", "node18-typescript", "dist", "main.js")], {
  env: { ...process.env, http_port: port, FUNCTION_DIR: join(root, "template", "node18-typescript", "function") },
  stdio: ["ignore", "inherit", "inherit"],
});
console.log(`
coffee-edge: serving the sample function "echo" at http://127.0.0.1:${port}/ (moved by GATEWAY_PORT)
  try: curl -s -H 'content-type: application/json' -d '{"hello":"world"}' http://127.0.0.1:${port}/
  The gateway (/function/<name>), broker and connectors are not built yet; see README "Status".
`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 0));
