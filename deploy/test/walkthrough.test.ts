import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateObject } from "./support/models.js";
import { kubectlAvailable, renderKustomization } from "./support/render.js";
import { secretsScriptPlan } from "./support/secrets-dry-run.js";

// deploy/README.md is the store's runbook: these checks keep its commands pointing at files, options and secrets
// that exist, and run its step 5 (a new store's overlay) for real in a copy of deploy/k8s.

const deployDir = fileURLToPath(new URL("../", import.meta.url));
const repoDir = path.join(deployDir, "..");
const readme = readFileSync(path.join(deployDir, "README.md"), "utf8");
const codeBlocks = [...readme.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)].map((match) => ({
  language: match[2] ?? "",
  text: (match[3] ?? "").replace(new RegExp(`^${match[1] ?? ""}`, "gm"), ""),
}));
const shellText = codeBlocks
  .filter((block) => block.language === "sh")
  .map((block) => block.text)
  .join("\n");

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("deploy/README.md", () => {
  it("names only repository files that exist", () => {
    const named = new Set<string>();
    // Paths from the repository root in commands and prose (placeholders such as $STORE are left out) …
    for (const match of readme.matchAll(/(?<![\w/.-])((?:deploy|broker|connector|template)\/[\w./-]*\w)/g)) {
      const name = match[1] as string;
      // `deploy/edge-broker` and the like are kubectl's Deployments, not files.
      if (/^deploy\/[\w-]+$/.test(name) && !name.includes(".")) continue;
      named.add(name);
    }
    // … and the table of this folder's files, relative to deploy/.
    for (const match of readme.matchAll(/^\| `([\w./<>-]+)`(?:, `([\w./-]+)`)? +\|/gm)) {
      for (const relative of [match[1], match[2]]) {
        // Rows naming a file or folder (other tables of the page name secrets and options).
        if (relative && /[./]/.test(relative) && !relative.includes("<")) named.add(`deploy/${relative}`);
      }
    }
    expect(named.size).toBeGreaterThan(15);
    const placeholder = /overlays\/?$/;
    const missing = [...named].filter((file) => !placeholder.test(file) && !existsSync(path.join(repoDir, file)));
    expect(missing).toEqual([]);
  });

  it("uses only options secrets.sh accepts", () => {
    const help = spawnSync("bash", [path.join(deployDir, "secrets.sh"), "--help"], { encoding: "utf8" }).stdout;
    const used = new Set([...shellText.matchAll(/secrets\.sh[^\n]*/g)].flatMap((m) => m[0].match(/--[a-z-]+/g) ?? []));
    expect(used).toEqual(new Set(["--store", "--postgres"]));
    const secretsSection = readme.slice(readme.indexOf("## 4. Secrets"), readme.indexOf("## 5."));
    const described = [...secretsSection.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1] as string);
    expect(described.length).toBeGreaterThan(3);
    for (const option of [...used, ...described]) expect(help, option).toContain(option);
  });

  it("tables exactly the secrets secrets.sh makes, and the chart's basic-auth", () => {
    const from = mkdtempSync(path.join(tmpdir(), "walkthrough-from-"));
    scratch.push(from);
    // The bridge's password is made only from --from; --postgres adds database-url and edge-postgres.
    spawnSync("sh", ["-c", `printf x > "${from}/edge-broker-bridge"`]);
    const plan = secretsScriptPlan(["--postgres", "--store", "store044", "--from", from]);
    const made = new Set([...plan.functionSecrets, ...plan.clusterSecrets]);
    const tabled = new Set(
      [...readme.matchAll(/^\| `([a-z-]+)` +\| (?:`faas-cli`|`kubectl`|the chart) +\|/gm)].map((m) => m[1] as string),
    );
    expect(tabled).toEqual(new Set([...made, "basic-auth"]));
  });

  it("gives a Fleet target in the shape of deploy/k8s/fleet.yaml's own", () => {
    const fleet = parse(readFileSync(path.join(deployDir, "k8s", "fleet.yaml"), "utf8")) as {
      targetCustomizations: unknown[];
    };
    const snippet = codeBlocks.find((block) => block.language === "yaml" && block.text.includes("clusterSelector"));
    const targets = parse((snippet?.text ?? "").replaceAll("store044", "store042")) as unknown[];
    expect(targets).toHaveLength(1);
    expect(fleet.targetCustomizations).toContainEqual(targets[0]);
  });
});

const hasKubectl = kubectlAvailable();

describe.runIf(hasKubectl || process.env.CI === "true")(
  "step 5 of deploy/README.md, run in a copy of deploy/k8s",
  () => {
    it("makes an overlay that renders, validates, and carries the new store's id, LAN and registry", () => {
      const work = mkdtempSync(path.join(tmpdir(), "walkthrough-"));
      scratch.push(work);
      const k8s = path.join(work, "deploy", "k8s");
      mkdirSync(path.join(k8s, "overlays"), { recursive: true });
      for (const part of ["base", "components", "overlays/store042"]) {
        cpSync(path.join(deployDir, "k8s", part), path.join(k8s, part), { recursive: true });
      }
      const step = codeBlocks.find((block) => block.text.startsWith('mkdir -p deploy/k8s/overlays/"$STORE"'));
      expect(step, "step 5's block").toBeDefined();
      const run = spawnSync("bash", ["-euo", "pipefail", "-c", step?.text ?? ""], {
        cwd: work,
        encoding: "utf8",
        timeout: 15_000,
        env: {
          PATH: process.env.PATH ?? "",
          STORE: "store044",
          LAN_CIDR: "10.44.0.0/24",
          REGISTRY: "registry.example/coffee-edge",
          TAG: "0.2.0",
        },
      });
      expect(run.status, run.stderr).toBe(0);

      const objects = renderKustomization(path.join(k8s, "overlays", "store044"));
      for (const object of objects) validateObject(object);
      const brokerConfig = objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === "edge-broker",
      ) as unknown as {
        data: Record<string, string>;
      };
      expect(brokerConfig.data.STORE_ID).toBe("store044");
      expect(brokerConfig.data.BRIDGE_TOPICS).toBe("store/store044/#");
      const policy = objects.find(
        (o) => o.kind === "NetworkPolicy" && o.metadata.name === "edge-broker",
      ) as unknown as {
        spec: { ingress: { from: { ipBlock?: { cidr: string } }[] }[] };
      };
      expect(policy.spec.ingress[0]?.from[0]?.ipBlock?.cidr).toBe("10.44.0.0/24");
      const service = objects.find((o) => o.kind === "Service" && o.metadata.name === "edge-broker-lan") as unknown as {
        spec: { loadBalancerSourceRanges: string[] };
      };
      expect(service.spec.loadBalancerSourceRanges).toEqual(["10.44.0.0/24"]);
      const images = objects
        .filter((o) => o.kind === "Deployment")
        .map(
          (o) =>
            (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image,
        );
      expect(new Set(images)).toEqual(
        new Set(["registry.example/coffee-edge/broker:0.2.0", "registry.example/coffee-edge/connector:0.2.0"]),
      );
    });
  },
);
