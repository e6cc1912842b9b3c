#!/usr/bin/env node
// The `coffee-edge` command (`up`, `simulate`). The CLI is compiled TypeScript: `npm run build` writes dist/.
import { access } from "node:fs/promises";

const entry = new URL("../dist/cli/main.js", import.meta.url);
try {
  await access(entry);
} catch {
  console.error("coffee-edge: the gateway is not built yet; run `npm run build` at the repository root first");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
