import type { Queryable } from "@coffee-edge/node18-typescript/store";
import type { Reading } from "./reading.js";

/**
 * How many readings are kept per fridge: a day at one reading a minute, enough for a dashboard's chart.
 * Counting rows (rather than keeping a time window) bounds the table even for a sensor that floods.
 */
export const READINGS_KEPT_PER_FRIDGE = 1440;

/**
 * Keeps the reading (a redelivered duplicate, same fridge and time, is stored once) and drops the oldest
 * beyond `keep`. Runs inside the reading's transaction, under the fridge's lock.
 */
export async function logReading(tx: Queryable, reading: Reading, keep = READINGS_KEPT_PER_FRIDGE): Promise<void> {
  await tx.run(
    `INSERT INTO fridge_readings (store_id, fridge_id, at, temp_c) VALUES ($1, $2, $3, $4)
     ON CONFLICT (store_id, fridge_id, at) DO NOTHING`,
    [reading.store, reading.fridge, reading.at, reading.tempC],
  );
  await tx.run(
    `DELETE FROM fridge_readings WHERE store_id = $1 AND fridge_id = $2 AND at < (
       SELECT at FROM fridge_readings WHERE store_id = $1 AND fridge_id = $2
       ORDER BY at DESC LIMIT 1 OFFSET $3)`,
    [reading.store, reading.fridge, keep - 1],
  );
}
