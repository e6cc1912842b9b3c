import { existsSync } from "node:fs";
import path from "node:path";
import { readPasswordFile } from "./password-file.js";
import type { Publisher } from "./publisher.js";
import { storeId } from "./topics.js";

/** The user a store's sensors connect as: its ACL lets it publish under `store/<store>/` only. */
export function sensorUser(store: string): string {
  return `sensor-${store}`;
}

/** Where `npm start` keeps the MQTT users' passwords; used by default when it exists and no user was given. */
export function defaultCredentialsDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dir = path.resolve(env.DATA_DIR || ".coffee-edge", "secrets", "mqtt");
  return existsSync(dir) ? dir : undefined;
}

/** Each store's sensor password from `dir`, or an error naming the file that is missing. */
export async function storePasswords(dir: string, stores: number): Promise<Map<string, string>> {
  const passwords = new Map<string, string>();
  for (let i = 1; i <= stores; i++) {
    const store = storeId(i);
    const file = path.join(dir, sensorUser(store));
    if (!existsSync(file)) {
      throw new Error(
        `no password for ${sensorUser(store)} in ${dir}: add the user with ` +
          `\`npx edge-broker user add ${sensorUser(store)} --role sensor --store ${store}\` and save its password there, or simulate fewer --stores`,
      );
    }
    passwords.set(store, await readPasswordFile(file));
  }
  return passwords;
}

/** One publisher per store, each message sent through its store's connection (`store/<store>/…`). */
export function routeByStore(publishers: ReadonlyMap<string, Publisher>): Publisher {
  return {
    publish(topic, payload) {
      const store = topic.split("/")[1] ?? "";
      const publisher = publishers.get(store);
      if (!publisher) return Promise.reject(new Error(`no connection for the store of ${topic}`));
      return publisher.publish(topic, payload);
    },
    async close(timeoutMs) {
      const results = await Promise.all([...publishers.values()].map((publisher) => publisher.close(timeoutMs)));
      return results.every(Boolean);
    },
  };
}
