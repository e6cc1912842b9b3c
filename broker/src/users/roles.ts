/**
 * The roles a broker user can hold. What each may publish and subscribe is decided in acl.ts; the summaries
 * below are what `edge-broker user` prints and what the README repeats, so keep them in step with acl.ts.
 */
export const ROLES = ["sensor", "connector", "dashboard", "bridge"] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Only a sensor is bound to a store (`--store`); the other roles serve every store of the broker. */
export const ROLE_SUMMARIES: Readonly<Record<Role, string>> = {
  sensor: "publishes under store/{its store}/ (not under store/{its store}/cmd), subscribes to store/{its store}/cmd/#",
  connector: "subscribes under store/, publishes anywhere except $ topics (responses, dead letters)",
  dashboard: "subscribes to anything, $SYS/# included; publishes nothing",
  bridge: "subscribes under store/, publishes commands to store/{a store}/cmd/...",
};
