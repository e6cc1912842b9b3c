import type { BrokerConnection } from "./broker-connection.js";

/** Why a message went to its dead-letter topic. */
export interface DeadLetterDetails {
  readonly topic: string;
  readonly fn: string;
  readonly status: number | "error";
  readonly attempts: number;
  readonly error?: string;
}

/**
 * Dead-letter topics come from one template, `{topic}/dlq` by default. `isDeadLetterTopic` recognises them, so a
 * function subscribed to `store/#` is never fed the dead letters of its own failures.
 */
export class DeadLetterTopics {
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly hasTopic: boolean;

  constructor(private readonly template: string) {
    const at = template.indexOf("{topic}");
    this.hasTopic = at >= 0;
    this.prefix = this.hasTopic ? template.slice(0, at) : template;
    this.suffix = this.hasTopic ? template.slice(at + "{topic}".length) : "";
  }

  topicFor(topic: string): string {
    return this.template.replaceAll("{topic}", topic);
  }

  isDeadLetterTopic(topic: string): boolean {
    if (!this.hasTopic) return topic === this.template;
    return (
      topic.length > this.prefix.length + this.suffix.length &&
      topic.startsWith(this.prefix) &&
      topic.endsWith(this.suffix)
    );
  }
}

/**
 * Publishes the original payload to the dead-letter topic. MQTT 5: the reason travels in user properties
 * (`x-topic`, `x-function`, `x-status`, `x-attempts`, `x-error`) and the payload is untouched. MQTT 3.1.1 has no
 * properties: the dead letter is then a JSON envelope with the same members and the payload in base64.
 */
export async function publishDeadLetter(
  broker: BrokerConnection,
  topics: DeadLetterTopics,
  details: DeadLetterDetails,
  payload: Buffer,
): Promise<void> {
  const target = topics.topicFor(details.topic);
  const reason = {
    "x-topic": details.topic,
    "x-function": details.fn,
    "x-status": String(details.status),
    "x-attempts": String(details.attempts),
    ...(details.error ? { "x-error": details.error } : {}),
  };
  if (broker.protocolVersion === 5) {
    await broker.publish(target, payload, { userProperties: reason });
    return;
  }
  const envelope = {
    topic: details.topic,
    function: details.fn,
    status: details.status,
    attempts: details.attempts,
    ...(details.error ? { error: details.error } : {}),
    payload: payload.toString("base64"),
    encoding: "base64",
  };
  await broker.publish(target, Buffer.from(JSON.stringify(envelope)));
}
