import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { validateObject } from "./support/models.js";
import type { K8sObject } from "./support/render.js";

// The files deploy/README.md's steps apply outside kustomize: OpenFaaS's namespaces and Helm values, the
// cert-manager issuer, and the alert receiver of the last step. The chart itself is not available offline, so the
// values are checked for the settings the store relies on, each against the manifest or file that relies on it.

const deployDir = fileURLToPath(new URL("../", import.meta.url));
const repoDir = path.join(deployDir, "..");
const read = (relative: string) => readFileSync(path.join(deployDir, relative), "utf8");
const objectsOf = (relative: string) =>
  parseAllDocuments(read(relative))
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);

/** A Go duration (time.ParseDuration) in seconds: "45s", "1m30s", "2m". */
function goSeconds(text: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  expect(parts.map((part) => part[0]).join(""), `a Go duration: ${text}`).toBe(text);
  return parts.reduce((sum, part) => sum + Number(part[1]) * (units[part[2] as string] ?? Number.NaN), 0);
}

interface K3sValues {
  openfaasPro: boolean;
  functionNamespace: string;
  basic_auth: boolean;
  generateBasicAuth: boolean;
  async: boolean;
  autoscaler: { enabled: boolean };
  openfaasImagePullPolicy: string;
  functions: { imagePullPolicy: string };
  faasnetes?: { setNonRootUser?: boolean };
  queueWorker: { ackWait: string };
  gateway: { upstreamTimeout: string; readTimeout: string; writeTimeout: string; nodePort: number };
}

describe("OpenFaaS's namespaces", () => {
  it("are openfaas and openfaas-fn, valid Namespaces", () => {
    const objects = objectsOf("openfaas/namespaces.yaml");
    for (const object of objects) validateObject(object);
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      "Namespace/openfaas",
      "Namespace/openfaas-fn",
    ]);
  });
});

describe("values-k3s.yaml", () => {
  const values = parse(read("openfaas/values-k3s.yaml")) as K3sValues;

  it("turns on basic auth with a generated password, and the async queue", () => {
    expect([values.basic_auth, values.generateBasicAuth, values.async]).toEqual([true, true, true]);
  });

  it("is OpenFaaS Standard with its autoscaler, which the stack's scale-to-zero labels need (CE refuses them)", () => {
    const stack = parse(readFileSync(path.join(repoDir, "stack.yml"), "utf8")) as {
      functions: Record<string, { labels?: Record<string, string> }>;
    };
    const scalesToZero = Object.values(stack.functions).filter(
      (fn) => fn.labels?.["com.openfaas.scale.zero"] === "true",
    );
    expect(scalesToZero.length).toBeGreaterThan(0);
    expect(values.openfaasPro).toBe(true);
    expect(values.autoscaler.enabled).toBe(true);
  });

  it("deploys functions into the namespace whose NetworkPolicy admits only the gateway", () => {
    const policy = objectsOf("k8s/base/functions/networkpolicy.yaml")[0] as K8sObject & {
      spec: { ingress: { from: { podSelector?: { matchExpressions?: unknown[] } }[] }[] };
    };
    expect(values.functionNamespace).toBe(policy.metadata.namespace);
    const sources = policy.spec.ingress.flatMap((rule) => rule.from.map((from) => from.podSelector?.matchExpressions));
    expect(sources).toEqual([[{ key: "app", operator: "In", values: ["gateway", "queue-worker"] }]]);
  });

  it("pulls images only when missing, so an air-gapped store runs what it imported", () => {
    expect(values.openfaasImagePullPolicy).toBe("IfNotPresent");
    expect(values.functions.imagePullPolicy).toBe("IfNotPresent");
    // A forced uid could not write /home/app/data, the SQLite folder the image gives its user.
    expect(values.faasnetes?.setNonRootUser).not.toBe(true);
  });

  it("gives the slowest function time to answer, and the gateway time to answer 504 after it", () => {
    const stack = parse(readFileSync(path.join(repoDir, "stack.yml"), "utf8")) as {
      functions: Record<string, { environment?: Record<string, string> }>;
    };
    const slowest = Math.max(
      ...Object.values(stack.functions).map((fn) => goSeconds(fn.environment?.exec_timeout ?? "10s")),
    );
    expect(slowest).toBeGreaterThanOrEqual(30);
    const upstream = goSeconds(values.gateway.upstreamTimeout);
    expect(upstream).toBeGreaterThan(slowest);
    expect(goSeconds(values.gateway.readTimeout)).toBeGreaterThan(upstream);
    expect(goSeconds(values.gateway.writeTimeout)).toBeGreaterThan(upstream);
    expect(goSeconds(values.queueWorker.ackWait)).toBeGreaterThan(slowest);
  });

  it("publishes the gateway on the NodePort deploy/README.md gives faas-cli", () => {
    expect(read("README.md")).toContain(`OPENFAAS_URL=http://$NODE_IP:${values.gateway.nodePort}`);
  });
});

describe("values-ingress.yaml", () => {
  const values = parse(read("openfaas/values-ingress.yaml")) as {
    ingress: {
      enabled: boolean;
      ingressClassName: string;
      pathType: string;
      annotations: Record<string, string | null>;
      hosts: { host: string; serviceName: string; servicePort: number }[];
      tls: { secretName: string; hosts: string[] }[];
    };
  };
  const issuer = objectsOf("openfaas/cluster-issuer.yaml")[0] as K8sObject & {
    spec: { acme: { solvers: { http01: { ingress: { ingressClassName: string } } }[] } };
  };

  it("serves the gateway through K3s's Traefik with a certificate for the same host", () => {
    const { ingress } = values;
    expect(ingress.enabled).toBe(true);
    expect(ingress.ingressClassName).toBe("traefik");
    expect(ingress.pathType).toBe("Prefix");
    // An older chart's default class annotation beside ingressClassName would get the Ingress refused.
    expect(ingress.annotations).toHaveProperty(["kubernetes.io/ingress.class"], null);
    expect(ingress.hosts.map((host) => [host.serviceName, host.servicePort])).toEqual([["gateway", 8080]]);
    expect(ingress.tls[0]?.hosts).toEqual(ingress.hosts.map((host) => host.host));
  });

  it("names the ClusterIssuer of cluster-issuer.yaml, which solves through the same Traefik", () => {
    expect([issuer.apiVersion, issuer.kind]).toEqual(["cert-manager.io/v1", "ClusterIssuer"]);
    expect(values.ingress.annotations["cert-manager.io/cluster-issuer"]).toBe(issuer.metadata.name);
    expect(issuer.spec.acme.solvers.map((solver) => solver.http01.ingress.ingressClassName)).toEqual(["traefik"]);
  });
});

describe("verify/alert-sink.yaml", () => {
  const objects = objectsOf("verify/alert-sink.yaml");
  const pod = objects.find((object) => object.kind === "Pod") as K8sObject & {
    spec: { containers: { image: string; command: string[] }[] };
  };
  let sink: ChildProcess | undefined;
  afterEach(() => {
    sink?.kill("SIGKILL");
    sink = undefined;
  });

  it("is a valid Pod and Service at the address deploy/README.md gives ALERT_WEBHOOK_URL", () => {
    for (const object of objects) validateObject(object);
    const service = objects.find((object) => object.kind === "Service") as K8sObject & {
      spec: { ports: { port: number }[] };
    };
    const address = `http://${service.metadata.name}.${service.metadata.namespace}:${service.spec.ports[0]?.port}/alerts`;
    expect(read("README.md")).toContain(`ALERT_WEBHOOK_URL=${address}`);
  });

  it("runs on the connector image the base deploys, at the tag the base pins", () => {
    const base = parse(read("k8s/base/kustomization.yaml")) as { images: { name: string; newTag: string }[] };
    const connector = base.images.find((image) => image.name === "coffee-edge/connector");
    expect(pod.spec.containers[0]?.image).toBe(`${connector?.name}:${connector?.newTag}`);
  });

  it("prints each alert it receives, and answers 204", async () => {
    const [command, ...args] = pod.spec.containers[0]?.command ?? [];
    expect(command).toBe("node");
    const child = spawn(process.execPath, args, { env: { PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    sink = child;
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port announced: ${output}`)), 10_000);
      child.stdout?.on("data", () => {
        const match = /listening on (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    const alert = { id: "a1", kind: "temperature", store: "store044", fridge: "f1", status: "critical", tempC: 9.5 };
    const response = await fetch(`http://127.0.0.1:${port}/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "a1" },
      body: JSON.stringify(alert),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(204);
    await expect.poll(() => output, { timeout: 5_000 }).toContain(`POST /alerts a1 ${JSON.stringify(alert)}`);
  });
});
