import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export interface StaticAsset {
  readonly body: Buffer;
  /** The same bytes gzipped, when that is smaller. */
  readonly gzipped?: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The page's own files: `gateway/ui/`, plain HTML, CSS and JS modules (no build step). */
export const UI_DIR = fileURLToPath(new URL("../../ui/", import.meta.url));

/** uPlot's browser build and style, served from node_modules (no CDN: the page works offline). */
function uplotFiles(): Record<string, string> {
  const dist = path.dirname(createRequire(import.meta.url).resolve("uplot"));
  return {
    "vendor/uPlot.iife.min.js": path.join(dist, "uPlot.iife.min.js"),
    "vendor/uPlot.min.css": path.join(dist, "uPlot.min.css"),
  };
}

/**
 * Every file the dashboard serves, read and compressed once at start (about 85 KB, under 40 KB gzipped): a Raspberry Pi
 * then serves each from memory, and a page revisited within a session is a 304.
 */
export function loadStaticAssets(dir = UI_DIR): ReadonlyMap<string, StaticAsset> {
  const files: Record<string, string> = { ...uplotFiles() };
  for (const name of readdirSync(dir)) {
    if (CONTENT_TYPES[path.extname(name)]) files[name] = path.join(dir, name);
  }
  const assets = new Map<string, StaticAsset>();
  for (const [name, file] of Object.entries(files)) {
    const body = readFileSync(file);
    const gzipped = gzipSync(body, { level: 9 });
    assets.set(name, {
      body,
      ...(gzipped.length < body.length ? { gzipped } : {}),
      contentType: CONTENT_TYPES[path.extname(name)] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    });
  }
  return assets;
}
