import type { Role } from "./roles.js";

/** A user bound to one store: its sensors' readings in, its commands out, nothing of any other store. */
export interface SensorUser {
  readonly username: string;
  readonly role: "sensor";
  readonly store: string;
}

/** A user serving every store of the broker (connector, dashboard, bridge): never bound to one. */
export interface ServiceUser {
  readonly username: string;
  readonly role: Exclude<Role, "sensor">;
  readonly store?: undefined;
}

/** Who an authenticated MQTT connection is. Never carries the password or its hash. */
export type BrokerUser = SensorUser | ServiceUser;
