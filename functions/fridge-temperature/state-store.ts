import type { Queryable } from "@coffee-edge/node18-typescript/store";
import type { EvaluatedState, FridgeStatus } from "./evaluate.js";
import type { FridgeId } from "./topic.js";

/** What is known of one fridge: its evaluated status, its open incidents and its last reading. */
export interface FridgeState extends EvaluatedState {
  /** The open temperature incident, or null. */
  readonly incidentId: string | null;
  readonly lastReadingAt: string;
  readonly lastTempC: number;
  /** The open sensor-offline incident (the cron run found the fridge silent), or null. */
  readonly offlineIncidentId: string | null;
  readonly offlineSince: string | null;
}

interface StateRow {
  status: FridgeStatus | null;
  status_since: string | null;
  breach_since: string | null;
  incident_id: string | null;
  last_reading_at: string | null;
  last_temp_c: number | null;
  offline_incident_id: string | null;
  offline_since: string | null;
}

const COLUMNS =
  "status, status_since, breach_since, incident_id, last_reading_at, last_temp_c, offline_incident_id, offline_since";

/**
 * Reads a fridge's state inside a transaction and holds its row until the transaction ends, so two
 * readings of one fridge (two replicas, a redelivery) are evaluated one after the other. A fridge never
 * seen before gets its row first: there is then always a row to lock. Undefined for a new fridge.
 */
export async function lockFridgeState(tx: Queryable, id: FridgeId): Promise<FridgeState | undefined> {
  await tx.run(
    "INSERT INTO fridge_states (store_id, fridge_id) VALUES ($1, $2) ON CONFLICT (store_id, fridge_id) DO NOTHING",
    [id.store, id.fridge],
  );
  // SQLite has no row locks (its transactions are serialised); PostgreSQL needs FOR UPDATE.
  const lock = tx.dialect === "postgres" ? " FOR UPDATE" : "";
  const row = await tx.get<StateRow>(
    `SELECT ${COLUMNS} FROM fridge_states WHERE store_id = $1 AND fridge_id = $2${lock}`,
    [id.store, id.fridge],
  );
  return row ? toState(row) : undefined;
}

export async function saveFridgeState(tx: Queryable, id: FridgeId, state: FridgeState): Promise<void> {
  await tx.run(
    `UPDATE fridge_states SET status = $3, status_since = $4, breach_since = $5, incident_id = $6,
       last_reading_at = $7, last_temp_c = $8, offline_incident_id = $9, offline_since = $10
     WHERE store_id = $1 AND fridge_id = $2`,
    [
      id.store,
      id.fridge,
      state.status,
      state.statusSince,
      state.breachSince,
      state.incidentId,
      state.lastReadingAt,
      state.lastTempC,
      state.offlineIncidentId,
      state.offlineSince,
    ],
  );
}

/** Every fridge of a store that has reported at least once, by fridge id. */
export async function fridgesOfStore(
  db: Queryable,
  store: string,
  limit: number,
): Promise<Array<FridgeState & { fridge: string }>> {
  const rows = await db.all<StateRow & { fridge_id: string }>(
    `SELECT fridge_id, ${COLUMNS} FROM fridge_states
     WHERE store_id = $1 AND last_reading_at IS NOT NULL ORDER BY fridge_id LIMIT $2`,
    [store, limit],
  );
  return rows.flatMap((row) => {
    const state = toState(row);
    return state ? [{ ...state, fridge: row.fridge_id }] : [];
  });
}

/** Fridges silent since before `cutoff` and not yet reported offline, in a fixed order. */
export async function silentFridges(
  db: Queryable,
  cutoff: string,
  limit: number,
): Promise<Array<FridgeId & { lastSeen: string; lastTempC: number | null }>> {
  const rows = await db.all<{
    store_id: string;
    fridge_id: string;
    last_reading_at: string;
    last_temp_c: number | null;
  }>(
    `SELECT store_id, fridge_id, last_reading_at, last_temp_c FROM fridge_states
     WHERE last_reading_at < $1 AND offline_incident_id IS NULL
     ORDER BY store_id, fridge_id LIMIT $2`,
    [cutoff, limit],
  );
  return rows.map((row) => ({
    store: row.store_id,
    fridge: row.fridge_id,
    lastSeen: row.last_reading_at,
    lastTempC: row.last_temp_c,
  }));
}

/**
 * Opens a sensor-offline incident unless a reading arrived meanwhile or another run opened one first:
 * the condition is checked by the UPDATE itself, so it holds under concurrency. True when this call opened it.
 */
export async function openOfflineIncident(
  tx: Queryable,
  id: FridgeId,
  incidentId: string,
  cutoff: string,
  since: string,
): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE fridge_states SET offline_incident_id = $3, offline_since = $4
     WHERE store_id = $1 AND fridge_id = $2 AND offline_incident_id IS NULL AND last_reading_at < $5`,
    [id.store, id.fridge, incidentId, since, cutoff],
  );
  return changes === 1;
}

function toState(row: StateRow): FridgeState | undefined {
  // The row of a fridge whose first reading is being recorded right now has no state yet.
  if (row.status === null || row.status_since === null || row.last_reading_at === null || row.last_temp_c === null) {
    return undefined;
  }
  return {
    status: row.status,
    statusSince: row.status_since,
    breachSince: row.breach_since,
    incidentId: row.incident_id,
    lastReadingAt: row.last_reading_at,
    lastTempC: row.last_temp_c,
    offlineIncidentId: row.offline_incident_id,
    offlineSince: row.offline_since,
  };
}
