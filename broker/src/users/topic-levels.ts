/**
 * MQTT 3.1.1 topic names and filters split into levels (§4.7). An empty level is legal ("a//b", "a/"), so
 * levels are compared exactly, never by string prefix: "store/store0421" is not under "store/store042".
 */

/** The spec's limit: a topic is a UTF-8 string of at most 65535 bytes. */
const MAX_TOPIC_BYTES = 65_535;

function basicallyValid(text: string): boolean {
  return text.length > 0 && !text.includes("\u0000") && Buffer.byteLength(text, "utf8") <= MAX_TOPIC_BYTES;
}

/** The levels of a topic name a client may publish to, or undefined when it is not one (wildcards, empty…). */
export function topicNameLevels(topic: string): string[] | undefined {
  if (!basicallyValid(topic) || topic.includes("+") || topic.includes("#")) return undefined;
  return topic.split("/");
}

/** The levels of a topic filter, or undefined when invalid: `+` and `#` only as whole levels, `#` only last. */
export function topicFilterLevels(filter: string): string[] | undefined {
  if (!basicallyValid(filter)) return undefined;
  const levels = filter.split("/");
  const valid = levels.every((level, index) => {
    if (level === "#") return index === levels.length - 1;
    if (level === "+") return true;
    return !level.includes("+") && !level.includes("#");
  });
  return valid ? levels : undefined;
}

const SHARE_PREFIX = "$share/";

/**
 * A shared subscription `$share/{group}/{filter}` delivers what `{filter}` matches, so that is what the ACL
 * judges. Returns the filter without the prefix, the filter itself when it has none, or undefined when the
 * prefix is malformed (an empty group, a group with a wildcard, nothing after the group).
 */
export function withoutSharePrefix(filter: string): string | undefined {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const rest = filter.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  const group = rest.slice(0, slash);
  if (group.includes("+") || group.includes("#")) return undefined;
  const inner = rest.slice(slash + 1);
  return inner === "" ? undefined : inner;
}

/** A topic name starting with `$` is the broker's own ($SYS/…): clients never publish there. */
export function isReservedTopic(levels: readonly string[]): boolean {
  return (levels[0] ?? "").startsWith("$");
}

function startsWithLevels(levels: readonly string[], prefix: readonly string[]): boolean {
  return levels.length >= prefix.length && prefix.every((level, index) => levels[index] === level);
}

/** Whether the topic is `prefix` itself or anything below it. */
export function topicAtOrBelow(topic: readonly string[], prefix: readonly string[]): boolean {
  return startsWithLevels(topic, prefix);
}

/** Whether the topic is strictly below `prefix` (at least one more level, possibly empty). */
export function topicBelow(topic: readonly string[], prefix: readonly string[]): boolean {
  return topic.length > prefix.length && topicAtOrBelow(topic, prefix);
}

/**
 * Whether every topic the filter can match is matched by `{prefix}/#` too, i.e. the filter never reaches
 * outside `prefix`: its first levels must be exactly the prefix's, literally. A wildcard there widens it
 * (`store/+/cmd/#` reaches every store), while one after the prefix stays inside it. `#` matches its parent
 * level, so `{prefix}/#` itself is inside, and so is the bare `{prefix}`; a filter shorter than the prefix
 * is not.
 */
export function filterWithin(filter: readonly string[], prefix: readonly string[]): boolean {
  return startsWithLevels(filter, prefix);
}
