/**
 * The gateway's own credentials share the folder with function secrets (one place to back up, one set of file
 * permissions), but the secrets API must never reveal, replace, remove or mount them. Add a name here (e.g. the
 * MQTT credentials) and the API refuses it everywhere. `mqtt` is the folder of the embedded broker's generated passwords.
 */
export const RESERVED_SECRET_NAMES = ["basic-auth-user", "basic-auth-password", "mqtt"] as const;

export type ReservedSecretName = (typeof RESERVED_SECRET_NAMES)[number];

/** Kubernetes secret names (a DNS subdomain). No slash and no leading dot, so a name can never leave the folder. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MAX_SECRET_NAME_LENGTH = 253;

export function isSecretName(name: string): boolean {
  return name.length <= MAX_SECRET_NAME_LENGTH && SECRET_NAME.test(name);
}

export function isReservedSecretName(name: string): name is ReservedSecretName {
  return (RESERVED_SECRET_NAMES as readonly string[]).includes(name);
}
