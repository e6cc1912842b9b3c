/**
 * Store and fridge ids: one MQTT topic level each, so no `/`, `+` or `#`; letters, digits, `.`, `_`, `-`,
 * at most 64 characters (`store042`, `fridge-1`). The request schema and the topic parser share this rule.
 */
export const ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
export const ID_MAX_LENGTH = 64;

const ID = new RegExp(ID_PATTERN);

export interface FridgeId {
  readonly store: string;
  readonly fridge: string;
}

export function isFridgePartId(value: string): boolean {
  return value.length <= ID_MAX_LENGTH && ID.test(value);
}

/**
 * `store/{storeId}/fridge/{fridgeId}/temp`, the topic the MQTT connector passes in `X-Topic`, or undefined
 * when the topic has another shape.
 */
export function parseFridgeTopic(topic: string): FridgeId | undefined {
  const levels = topic.split("/");
  if (levels.length !== 5) return undefined;
  const [storeLevel, store, fridgeLevel, fridge, tempLevel] = levels as [string, string, string, string, string];
  if (storeLevel !== "store" || fridgeLevel !== "fridge" || tempLevel !== "temp") return undefined;
  if (!isFridgePartId(store) || !isFridgePartId(fridge)) return undefined;
  return { store, fridge };
}
