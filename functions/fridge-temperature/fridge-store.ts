import type { Env } from "@coffee-edge/node18-typescript/env";
import { openStore, type Store } from "@coffee-edge/node18-typescript/store";
import Database from "better-sqlite3";
import pg from "pg";
import { migrations } from "./migrations.js";

export const FUNCTION_NAME = "fridge-temperature";

/** The store DATABASE_URL selects (default: the SQLite file data/fridge-temperature.db), schema up to date. */
export function openFridgeStore(env: Env = process.env): Promise<Store> {
  return openStore({ functionName: FUNCTION_NAME, drivers: { sqlite: Database, postgres: pg }, migrations, env });
}
