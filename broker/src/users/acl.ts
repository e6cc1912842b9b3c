import type { BrokerUser } from "./broker-user.js";
import { isValidStoreId } from "./identifiers.js";
import {
  filterWithin,
  isReservedTopic,
  topicAtOrBelow,
  topicBelow,
  topicFilterLevels,
  topicNameLevels,
  withoutSharePrefix,
} from "./topic-levels.js";

/**
 * Who may publish and subscribe where. Pure functions of the user and the topic, so the broker's hooks, the
 * README's table and the tests all rest on the same few lines.
 *
 * - sensor of store S: publishes strictly below `store/S/`, except the command space `store/S/cmd` and below
 *   (commands go to sensors, never from them: a sensor publishing there would command its neighbours);
 *   subscribes only to filters inside that command space (`store/S/cmd/#` or narrower).
 * - connector: subscribes to filters inside `store/`; publishes anywhere except `$` topics (its responses and
 *   dead letters live wherever the functions say, so the rule stays this simple).
 * - dashboard: subscribes to anything, `$SYS/#` included; publishes nothing.
 * - bridge: subscribes to filters inside `store/`; publishes only commands relayed from the central broker,
 *   `store/{a valid store id}/cmd/{at least one more level}`.
 * - "anonymous" (development only, when the broker enables it): subscribes to anything, publishes anywhere
 *   except `$` topics. It isolates nothing.
 *
 * Nobody publishes to a `$` topic (`$SYS/` is the broker's own). A publish topic holding `+` or `#`, and any
 * malformed topic or filter, is refused. A shared subscription `$share/{group}/{filter}` is judged by its
 * `{filter}`. Filters starting with `+` or `#` never match `$` topics (MQTT §4.7.2), so only a filter naming
 * `$…` literally reaches them.
 */
export type AclSubject = BrokerUser | "anonymous";

const STORE = "store";
const COMMANDS = "cmd";

export function canPublish(user: AclSubject, topic: string): boolean {
  const levels = topicNameLevels(topic);
  if (levels === undefined || isReservedTopic(levels)) return false;
  if (user === "anonymous") return true;
  switch (user.role) {
    case "sensor":
      return topicBelow(levels, [STORE, user.store]) && !topicAtOrBelow(levels, [STORE, user.store, COMMANDS]);
    case "connector":
      return true;
    case "dashboard":
      return false;
    case "bridge":
      return isCommandForAStore(levels);
  }
}

export function canSubscribe(user: AclSubject, filter: string): boolean {
  const judged = withoutSharePrefix(filter);
  const levels = judged === undefined ? undefined : topicFilterLevels(judged);
  if (levels === undefined) return false;
  if (user === "anonymous") return true;
  switch (user.role) {
    case "sensor":
      return filterWithin(levels, [STORE, user.store, COMMANDS]);
    case "connector":
    case "bridge":
      return filterWithin(levels, [STORE]);
    case "dashboard":
      return true;
  }
}

/** `store/{storeId}/cmd/…`: the store id must be one the users file would accept, and a command names a target. */
function isCommandForAStore(levels: readonly string[]): boolean {
  const [first, storeId, third] = levels;
  return (
    first === STORE && storeId !== undefined && isValidStoreId(storeId) && third === COMMANDS && levels.length >= 4
  );
}
