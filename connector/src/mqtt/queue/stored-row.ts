import type { DeadLetterReason, ReceivedMessage } from "./received-message.js";

/** A `deliveries` row as better-sqlite3 returns it. */
export interface DeliveryRow {
  readonly id: number;
  readonly topic: string;
  readonly fn: string;
  readonly payload: Buffer;
  readonly received_at: number;
  readonly response_topic: string | null;
  readonly correlation_data: Buffer | null;
  readonly content_type: string | null;
  readonly user_properties: string | null;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly dead_letter: string | null;
}

/** The named parameters of the insert, `fn` aside. Only the (small) user properties are JSON. */
export function messageToRow(message: ReceivedMessage) {
  return {
    topic: message.topic,
    payload: message.payload,
    receivedAt: message.receivedAt,
    responseTopic: message.responseTopic ?? null,
    correlationData: message.correlationData ?? null,
    contentType: message.contentType ?? null,
    userProperties: message.userProperties === undefined ? null : JSON.stringify(message.userProperties),
  };
}

export function rowToMessage(row: DeliveryRow): ReceivedMessage {
  const userProperties = row.user_properties === null ? undefined : parseUserProperties(row.user_properties);
  return {
    topic: row.topic,
    payload: row.payload,
    receivedAt: row.received_at,
    ...(row.response_topic === null ? {} : { responseTopic: row.response_topic }),
    ...(row.correlation_data === null ? {} : { correlationData: row.correlation_data }),
    ...(row.content_type === null ? {} : { contentType: row.content_type }),
    ...(userProperties === undefined ? {} : { userProperties }),
  };
}

export function deadLetterFromRow(row: DeliveryRow): DeadLetterReason | undefined {
  if (row.dead_letter === null) return undefined;
  const parsed: unknown = JSON.parse(row.dead_letter);
  const reason = isRecord(parsed) ? parsed : {};
  const status = reason.status;
  const error = reason.error;
  // The row's own fn and attempts are the truth; the JSON only adds what the columns do not hold.
  return {
    status: typeof status === "number" ? status : "error",
    fn: row.fn,
    attempts: row.attempts,
    ...(typeof error === "string" ? { error } : {}),
  };
}

function parseUserProperties(json: string): Record<string, string | string[]> | undefined {
  const parsed: unknown = JSON.parse(json);
  if (!isRecord(parsed)) return undefined;
  const entries: Array<[string, string | string[]]> = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === "string") entries.push([name, value]);
    else if (Array.isArray(value))
      entries.push([name, value.filter((item): item is string => typeof item === "string")]);
  }
  // fromEntries defines own properties: a publisher's "__proto__" property stays data, never a prototype.
  return Object.fromEntries(entries);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
