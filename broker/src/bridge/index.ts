// The bridge's public surface, for the broker factory and its metrics.
export { type Bridge, type BridgeEvents, type BridgeOptions, startBridge } from "./bridge.js";
export type { LocalPublish } from "./command-relay.js";
export type { DropCause } from "./drop-reporter.js";
export type { BridgeLogger } from "./logger.js";
export {
  type AddResult,
  type DroppedMessage,
  type Outbox,
  type OutboxMessage,
  type OutboxOptions,
  type OutboxPolicy,
  type OutboxSynchronous,
  openOutbox,
  type QoS,
} from "./outbox.js";
export { createTopicMapping, type TopicMapping, type TopicMappingOptions } from "./topic-mapping.js";
