/**
 * MQTT topic filters (MQTT 3.1.1 §4.7, 5 §4.7): `+` matches one level, `#` (last) matches the rest, including
 * the parent level itself. Topics starting with `$` are not matched by a filter starting with a wildcard
 * (§4.7.2), so `#` never delivers `$SYS/...`.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
  const filterLevels = filter.split("/");
  const topicLevels = topic.split("/");
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === "#") return true;
    if (i >= topicLevels.length) return false;
    if (level !== "+" && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** Why a filter is not a valid MQTT subscription filter, or undefined when it is. */
export function filterProblem(filter: string): string | undefined {
  if (filter === "") return "a filter cannot be empty";
  if (Buffer.byteLength(filter) > 65_535) return "a filter is at most 65535 bytes";
  if (filter.includes("\u0000")) return "a filter cannot contain NUL";
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return "# must be a whole level and the last one";
    }
    if (level.includes("+") && level !== "+") return "+ must be a whole level";
  }
  return undefined;
}
