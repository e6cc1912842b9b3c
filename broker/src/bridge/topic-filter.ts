/**
 * MQTT topic filters (3.1.1 §4.7): `+` matches one level, a final `#` matches the parent and every level below,
 * and a filter starting with a wildcard does not match topics starting with `$` (`$SYS/…` stays local).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
  const filterLevels = filter.split("/");
  const topicLevels = topic.split("/");
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === "#") return true;
    const topicLevel = topicLevels[i];
    if (topicLevel === undefined) return false;
    if (level !== "+" && level !== topicLevel) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** Why `filter` is not a valid MQTT topic filter, or undefined when it is. */
export function invalidFilterReason(filter: string): string | undefined {
  if (filter.length === 0) return "it is empty";
  if (filter.includes("\u0000")) return "it contains a NUL character";
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? "";
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return "`#` must be a whole level and the last one";
    }
    if (level.includes("+") && level !== "+") return "`+` must be a whole level";
  }
  return undefined;
}

/** True when a topic (not a filter) has no wildcard, so it can be published to. */
export function isPublishableTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes("+") && !topic.includes("#") && !topic.includes("\u0000");
}
