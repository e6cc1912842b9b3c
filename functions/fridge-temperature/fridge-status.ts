import type { Queryable } from "@coffee-edge/node18-typescript/store";
import type { FridgeStatus } from "./evaluate.js";
import { fridgesOfStore } from "./state-store.js";

export interface FridgeStatusEntry {
  readonly fridge: string;
  /** The last reading's temperature. */
  readonly tempC: number;
  /** The last reading's status, or `sensor-offline` while the cron run's offline incident is open. */
  readonly status: FridgeStatus | "sensor-offline";
  /** When the current status began. */
  readonly since: string;
}

export interface StoreStatus {
  readonly store: string;
  readonly fridges: FridgeStatusEntry[];
}

/** More fridges than any store has; the bound keeps a hostile or mistaken query cheap. */
export const FRIDGES_PER_STORE = 500;

/** The current status of every fridge of a store that has reported; an unknown store has none. */
export async function storeStatus(db: Queryable, store: string): Promise<StoreStatus> {
  const states = await fridgesOfStore(db, store, FRIDGES_PER_STORE);
  return {
    store,
    fridges: states.map((state) => ({
      fridge: state.fridge,
      tempC: state.lastTempC,
      status: state.offlineSince === null ? state.status : "sensor-offline",
      since: state.offlineSince ?? state.statusSince,
    })),
  };
}
