import { randomUUID } from "node:crypto";
import { createLogger } from "@coffee-edge/node18-typescript";
import { DEFAULT_ALERT_POST } from "./alert-delivery.js";
import { loadConfig } from "./config.js";
import { createHandler, type FridgeDeps } from "./create-handler.js";
import { openFridgeStore } from "./fridge-store.js";

/** The real collaborators. The configuration is read now, so a bad value stops the function at start. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): FridgeDeps {
  return {
    config: loadConfig(env),
    openStore: () => openFridgeStore(env),
    now: () => new Date(),
    newId: randomUUID,
    alertPost: DEFAULT_ALERT_POST,
    logger: createLogger(),
  };
}

export default createHandler(defaultDeps());
