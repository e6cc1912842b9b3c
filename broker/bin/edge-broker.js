#!/usr/bin/env node
// The `edge-broker` command: runs the store's broker, or manages its users (`edge-broker user add|list|remove`).
// The broker is compiled TypeScript: `npm run build` at the repository root writes dist/.
import { access } from "node:fs/promises";

const entry = new URL("../dist/cli/main.js", import.meta.url);
try {
  await access(entry);
} catch {
  console.error("edge-broker: not built yet; run `npm run build` at the repository root first");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
