import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "@coffee-edge/node18-typescript/env";

/**
 * `basic_auth=true`: the gateway's credentials from `basic-auth-user` and `basic-auth-password` in
 * `secret_mount_path`, as connector-sdk's `GetCredentials` reads them (trimmed). Returns the Authorization
 * header value; a missing file is a ConfigError naming the file (never its content).
 */
export function readGatewayAuthorization(secretMountPath: string): string {
  const read = (name: string): string => {
    const file = path.join(secretMountPath, name);
    try {
      return readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new ConfigError(
        "secret_mount_path",
        `basic_auth is on but ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  };
  const user = read("basic-auth-user");
  const password = read("basic-auth-password");
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
