/** One MQTT message as the connector received it, before any function ran. */
export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** Epoch ms. */
  readonly receivedAt: number;
  /** MQTT v5 properties, when present. */
  readonly responseTopic?: string;
  readonly correlationData?: Buffer;
  readonly contentType?: string;
  readonly userProperties?: Readonly<Record<string, string | string[]>>;
}

/** One message for one function: what the dispatcher invokes, retries and dead-letters. */
export interface QueuedDelivery {
  readonly id: number;
  /** `name` or `name.namespace`. */
  readonly fn: string;
  readonly message: ReceivedMessage;
  /** Attempts already made (an attempt cut short by a crash is not counted). */
  readonly attempts: number;
}

/** Why a delivery went to the dead-letter topic. `status` is "error" when the function never answered. */
export interface DeadLetterReason {
  readonly status: number | "error";
  readonly fn: string;
  readonly attempts: number;
  readonly error?: string;
}
