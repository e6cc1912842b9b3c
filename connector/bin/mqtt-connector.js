#!/usr/bin/env node
// The `mqtt-connector` command: one process, configured by its environment (see connector/README.md).
// The connector is compiled TypeScript: `npm run build` at the repository root writes dist/.
import { access } from "node:fs/promises";

const entry = new URL("../dist/mqtt/main.js", import.meta.url);
try {
  await access(entry);
} catch {
  console.error("mqtt-connector: not built yet; run `npm run build` at the repository root first");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main();
