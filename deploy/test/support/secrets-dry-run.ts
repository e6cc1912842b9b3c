import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const script = fileURLToPath(new URL("../../secrets.sh", import.meta.url));

/** The secrets deploy/secrets.sh would make with `args`, read from its --dry-run (which contacts nothing). */
export interface SecretsScriptPlan {
  /** Made with faas-cli in openfaas-fn: the functions' secrets. */
  readonly functionSecrets: Set<string>;
  /** Made with kubectl in openfaas: the broker's, the connector's and PostgreSQL's. */
  readonly clusterSecrets: Set<string>;
}

export function secretsScriptPlan(args: readonly string[] = []): SecretsScriptPlan {
  const result = spawnSync("bash", [script, "--dry-run", ...args], { encoding: "utf8", timeout: 10_000 });
  expect(result.status, result.stderr).toBe(0);
  const named = (command: string) =>
    new Set([...result.stdout.matchAll(new RegExp(`^would run: ${command} (\\S+)`, "gm"))].map((m) => m[1] as string));
  return {
    functionSecrets: named("faas-cli secret create"),
    clusterSecrets: named("kubectl create secret generic"),
  };
}
