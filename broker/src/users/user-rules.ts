import type { BrokerUser } from "./broker-user.js";
import { isValidStoreId, isValidUsername, STORE_ID_RULE, USERNAME_RULE } from "./identifiers.js";
import { isRole, ROLES } from "./roles.js";
import { UserRefusedError } from "./user-errors.js";

/**
 * The one check of a user's name, role and store, for users being added and for users read from the file
 * alike, so a hand-edited file cannot hold a user `add` would have refused. Throws UserRefusedError.
 */
export function validatedUser(username: string, role: string, store: string | undefined): BrokerUser {
  if (!isValidUsername(username)) {
    throw new UserRefusedError("bad-username", `invalid username ${JSON.stringify(username)}: ${USERNAME_RULE}`);
  }
  if (!isRole(role)) {
    throw new UserRefusedError("bad-role", `invalid role ${JSON.stringify(role)}: one of ${ROLES.join(", ")}`);
  }
  if (role !== "sensor") {
    if (store !== undefined) {
      throw new UserRefusedError("store-not-allowed", `a ${role} serves every store: it takes no store`);
    }
    return Object.freeze({ username, role });
  }
  if (store === undefined) {
    throw new UserRefusedError("store-required", `a ${role} is bound to one store: give its store id`);
  }
  if (!isValidStoreId(store)) {
    throw new UserRefusedError("bad-store", `invalid store id ${JSON.stringify(store)}: ${STORE_ID_RULE}`);
  }
  return Object.freeze({ username, role, store });
}
