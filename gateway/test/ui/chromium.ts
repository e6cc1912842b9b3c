import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { isExecutable } from "../support/executable.js";

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_BINARY ?? "/usr/bin/chromium";

/** The flags that keep Chromium headless and off the network (no updates, sync, QUIC or first-run pages). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function chromiumAvailable(binary = CHROMIUM): boolean {
  return isExecutable(binary);
}

export interface Browser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile folder; safe to call twice. */
  close(): Promise<void>;
}

/** A fresh Chromium with its own temporary profile, logged in with `credentials` by HTTP basic auth. */
export async function launchChromium(credentials?: { username: string; password: string }): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), "coffee-edge-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: 30_000,
      viewport: { width: 1280, height: 900 },
      ...(credentials ? { httpCredentials: credentials } : {}),
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    close: () => {
      closed ??= (async () => {
        await context.close().catch(() => undefined);
        await rm(profile, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
