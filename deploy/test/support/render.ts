import { spawnSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

/** A rendered Kubernetes object, as far as the tests read it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Whether kubectl can be run at all (the tests fail under CI when it cannot, and skip loudly otherwise). */
export function kubectlAvailable(): boolean {
  const probe = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8", timeout: 15_000 });
  return probe.status === 0;
}

/** `kubectl kustomize DIR`, offline, parsed into objects; a render error fails with kubectl's own message. */
export function renderKustomization(dir: string): K8sObject[] {
  const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 15_000 });
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr || result.error?.message || "no output"}`);
  }
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}
