import type { Queryable } from "@coffee-edge/node18-typescript/store";

/** A final answer as it went out, kept so a retry gets exactly the same one. */
export interface RecordedAnswer {
  readonly status: number;
  /** Only the headers that belong to the answer (Location, X-Order-Id…), names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type KeyRecord =
  | { readonly state: "in-flight"; readonly fingerprint: string }
  | { readonly state: "done"; readonly fingerprint: string; readonly answer: RecordedAnswer };

interface KeyRow {
  fingerprint: string;
  state: "in-flight" | "done";
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
}

/**
 * Claims `key` for this request: true when this request inserted it, false when another request (now or
 * earlier) holds it. The INSERT is the lock, on both databases: of concurrent claims exactly one inserts.
 */
export async function claimKey(db: Queryable, key: string, fingerprint: string, claimedAt: string): Promise<boolean> {
  const { changes } = await db.run(
    `INSERT INTO payment_idempotency (idempotency_key, fingerprint, state, claimed_at)
     VALUES ($1, $2, 'in-flight', $3)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [key, fingerprint, claimedAt],
  );
  return changes === 1;
}

export async function findKey(db: Queryable, key: string): Promise<KeyRecord | undefined> {
  const row = await db.get<KeyRow>(
    `SELECT fingerprint, state, response_status, response_headers, response_body
     FROM payment_idempotency WHERE idempotency_key = $1`,
    [key],
  );
  if (row === undefined) return undefined;
  if (row.state === "in-flight" || row.response_status === null) {
    return { state: "in-flight", fingerprint: row.fingerprint };
  }
  return {
    state: "done",
    fingerprint: row.fingerprint,
    answer: {
      status: row.response_status,
      headers: JSON.parse(row.response_headers ?? "{}") as Record<string, string>,
      body: JSON.parse(row.response_body ?? "null") as unknown,
    },
  };
}

/** Stores the final answer of the request that holds the claim. */
export async function completeKey(db: Queryable, key: string, answer: RecordedAnswer, completedAt: string) {
  await db.run(
    `UPDATE payment_idempotency
     SET state = 'done', response_status = $2, response_headers = $3, response_body = $4, completed_at = $5
     WHERE idempotency_key = $1 AND state = 'in-flight'`,
    [key, answer.status, JSON.stringify(answer.headers), JSON.stringify(answer.body), completedAt],
  );
}

/** Gives the key up when nothing happened (the processor could not be reached), so a retry may try again. */
export async function releaseKey(db: Queryable, key: string): Promise<void> {
  await db.run(`DELETE FROM payment_idempotency WHERE idempotency_key = $1 AND state = 'in-flight'`, [key]);
}
