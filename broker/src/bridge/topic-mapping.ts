import { isPublishableTopic } from "./topic-filter.js";

export interface TopicMappingOptions {
  /** Central root, e.g. `stores/{storeId}/`; `{storeId}` is replaced. Default "" (topics kept as they are). */
  readonly prefix?: string;
  /** Local root swapped for `prefix`, e.g. `store/{storeId}/`; `{storeId}` is replaced. Default "". */
  readonly localPrefix?: string;
  readonly storeId: string;
}

/** How a topic is named on each side of the bridge. */
export interface TopicMapping {
  readonly prefix: string;
  readonly localPrefix: string;
  /** Outgoing: `prefix` + the local topic with `localPrefix` removed (when it starts with it). */
  toCentral(localTopic: string): string;
  /** Incoming: `localPrefix` + the central topic with `prefix` removed (when it starts with it). */
  toLocal(centralTopic: string): string;
}

const STORE_ID_PLACEHOLDER = /\{storeId\}/g;

/**
 * A root swap between the store's topics and the central broker's: with `localPrefix = "store/{storeId}/"` and
 * `prefix = "stores/{storeId}/"`, `store/store042/fridge-1/temp` goes out as `stores/store042/fridge-1/temp` and the
 * command `stores/store042/cmd/fridge-1/setpoint` comes in as `store/store042/cmd/fridge-1/setpoint`. Without
 * `localPrefix` the prefix is simply put in front going out and taken off coming in; without either, topics cross
 * unchanged. A local topic outside `localPrefix` still gets `prefix` in front, so it stays in the store's
 * namespace at the central broker.
 */
export function createTopicMapping(options: TopicMappingOptions): TopicMapping {
  const prefix = expand(options.prefix ?? "", options.storeId, "prefix");
  const localPrefix = expand(options.localPrefix ?? "", options.storeId, "localPrefix");
  return {
    prefix,
    localPrefix,
    toCentral: (topic) => prefix + (topic.startsWith(localPrefix) ? topic.slice(localPrefix.length) : topic),
    toLocal: (topic) => (prefix !== "" && topic.startsWith(prefix) ? localPrefix + topic.slice(prefix.length) : topic),
  };
}

function expand(template: string, storeId: string, name: string): string {
  if (template === "") return "";
  if (template.includes("{storeId}") && !isTopicLevel(storeId)) {
    throw new RangeError(`storeId must be one non-empty topic level without / + # to fill ${name}, got "${storeId}"`);
  }
  const expanded = template.replace(STORE_ID_PLACEHOLDER, storeId);
  if (!isPublishableTopic(expanded)) {
    throw new RangeError(`${name} must be a topic without wildcards, got "${expanded}"`);
  }
  return expanded;
}

function isTopicLevel(value: string): boolean {
  return value.length > 0 && !["/", "+", "#", "\u0000"].some((character) => value.includes(character));
}
