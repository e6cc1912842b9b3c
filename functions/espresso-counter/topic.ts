import { ProblemError, problemType } from "@coffee-edge/node18-typescript";

/**
 * Store and machine ids: a letter or digit, then letters, digits, `_`, `-` or `.`, at most 64 in all
 * (`store042`, `gaggia-2`). Narrow on purpose: ids become MQTT topic levels, SQL keys and header values.
 */
export const ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";
const ID = new RegExp(ID_PATTERN);

export interface MachineRef {
  readonly store: string;
  readonly machine: string;
}

/**
 * Reads `store/{storeId}/espresso/{machineId}/shot`, the topic the MQTT connector passes in `X-Topic`.
 * Any other topic is a 400: this function is subscribed to that filter only, so another topic is a
 * misrouted or hand-made request, and counting it under a guessed machine would be wrong.
 */
export function machineFromTopic(topic: string): MachineRef {
  const levels = topic.split("/");
  const [root, store, kind, machine, leaf] = levels;
  if (
    levels.length !== 5 ||
    root !== "store" ||
    kind !== "espresso" ||
    leaf !== "shot" ||
    store === undefined ||
    machine === undefined ||
    !ID.test(store) ||
    !ID.test(machine)
  ) {
    throw new ProblemError(400, {
      type: problemType("invalid-topic"),
      title: "Unexpected topic",
      detail: "X-Topic must be store/{storeId}/espresso/{machineId}/shot, with ids of letters, digits, _ . or -.",
    });
  }
  return { store, machine };
}
