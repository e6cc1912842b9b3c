import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateObject } from "./support/models.js";
import { configurationVariables } from "./support/readme-table.js";
import { type K8sObject, kubectlAvailable, renderKustomization } from "./support/render.js";

const deployDir = fileURLToPath(new URL("../", import.meta.url));
const repoDir = path.join(deployDir, "..");
const k8sDir = path.join(deployDir, "k8s");
const overlaysDir = path.join(k8sDir, "overlays");
const overlays = readdirSync(overlaysDir).filter((name) =>
  existsSync(path.join(overlaysDir, name, "kustomization.yaml")),
);

// Loose shapes of the parts of a pod the checks read (the schemas were validated before these are used).
interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean };
}
interface SecretProjection {
  secretName?: string;
  name?: string;
  items?: { key: string; path: string }[];
}
interface Volume {
  name: string;
  secret?: SecretProjection;
  projected?: { sources: { secret?: SecretProjection }[] };
  persistentVolumeClaim?: { claimName: string };
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: { runAsNonRoot?: boolean };
}

const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function podSpecOf(object: K8sObject): PodSpec {
  return (object.spec as { template: { spec: PodSpec } }).template.spec;
}

function workload(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}

/** The container's environment as the kubelet builds it: envFrom ConfigMaps first, then `env` (which wins). */
function environmentOf(container: Container, objects: K8sObject[]): Map<string, string> {
  const environment = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name === undefined) throw new Error(`${container.name}: only envFrom configMapRef is understood here`);
    const configMap = workload(objects, "ConfigMap", name);
    for (const [key, value] of Object.entries((configMap.data ?? {}) as Record<string, string>)) {
      environment.set(key, value);
    }
  }
  for (const variable of container.env ?? []) environment.set(variable.name, variable.value ?? "");
  return environment;
}

/** Every file a secret-backed mount provides: absolute path -> `secretName/key`. */
function secretFiles(container: Container, pod: PodSpec): Map<string, string> {
  const files = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
    const projections: { secretName: string; items: { key: string; path: string }[] }[] = [];
    if (volume?.secret?.secretName !== undefined) {
      projections.push({ secretName: volume.secret.secretName, items: volume.secret.items ?? [] });
    }
    for (const source of volume?.projected?.sources ?? []) {
      if (source.secret?.name !== undefined) {
        projections.push({ secretName: source.secret.name, items: source.secret.items ?? [] });
      }
    }
    for (const projection of projections) {
      // Without items every key is a file of the same name; the checks below name the keys they expect.
      for (const item of projection.items) {
        files.set(path.posix.join(mount.mountPath, item.path), `${projection.secretName}/${item.key}`);
      }
      if (projection.items.length === 0) files.set(`${mount.mountPath}/*`, `${projection.secretName}/*`);
    }
  }
  return files;
}

/** Whether `file` is provided by a secret mount, as an item or as a key of a whole-Secret mount. */
function secretProviding(file: string, files: Map<string, string>): string | undefined {
  const exact = files.get(file);
  if (exact !== undefined) return exact;
  const whole = files.get(`${path.posix.dirname(file)}/*`);
  return whole === undefined ? undefined : whole.replace("*", path.posix.basename(file));
}

const hasKubectl = kubectlAvailable();

describe("kubectl", () => {
  it("is installed (required under CI=true; otherwise the rendering tests are skipped with a warning)", () => {
    if (!hasKubectl && process.env.CI !== "true") {
      console.warn("WARNING: kubectl not found on PATH: the manifests were NOT rendered or validated.");
      return;
    }
    expect(hasKubectl).toBe(true);
  });
});

describe("the overlays", () => {
  it("are found", () => {
    expect(overlays).toEqual(expect.arrayContaining(["store042", "store043"]));
  });
});

describe.runIf(hasKubectl).each(overlays)("overlay %s", (overlay) => {
  const objects = renderKustomization(path.join(overlaysDir, overlay));
  const workloads = objects.filter((object) => workloadKinds.has(object.kind));

  it("renders the broker, both connectors and the NetworkPolicies", () => {
    const names = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "Deployment/edge-broker",
        "Deployment/mqtt-connector",
        "Deployment/cron-connector",
        "NetworkPolicy/edge-broker",
        "NetworkPolicy/edge-connectors",
        "NetworkPolicy/functions-from-openfaas-only",
      ]),
    );
  });

  it("validates every object against the Kubernetes schema of its kind", () => {
    for (const object of objects) {
      expect(() => validateObject(object), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it("names a namespace on every object (Fleet's defaultNamespace must not decide)", () => {
    for (const object of objects) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toMatch(/^openfaas(-fn)?$/);
    }
  });

  it("gives every container probes, requests and limits, a non-root user and a read-only root", () => {
    expect(workloads.length).toBeGreaterThanOrEqual(3);
    for (const object of workloads) {
      const pod = podSpecOf(object);
      for (const container of pod.containers) {
        const where = `${object.kind}/${object.metadata.name} ${container.name}`;
        expect(container.livenessProbe, `${where} livenessProbe`).toBeDefined();
        expect(container.readinessProbe, `${where} readinessProbe`).toBeDefined();
        for (const resource of ["cpu", "memory"]) {
          expect(container.resources?.requests?.[resource], `${where} requests.${resource}`).toBeDefined();
          expect(container.resources?.limits?.[resource], `${where} limits.${resource}`).toBeDefined();
        }
        const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        expect(nonRoot, `${where} runAsNonRoot`).toBe(true);
        // No exceptions: every workload writes only to its volumes (data PVCs, /tmp emptyDirs).
        expect(container.securityContext?.readOnlyRootFilesystem, `${where} readOnlyRootFilesystem`).toBe(true);
      }
    }
  });

  it("admits the store's LAN to the broker: its range at ServiceLB and in the NetworkPolicy, and ServiceLB's pods", () => {
    const policy = workload(objects, "NetworkPolicy", "edge-broker") as unknown as {
      spec: {
        ingress: {
          from: { ipBlock?: { cidr: string }; namespaceSelector?: unknown; podSelector?: unknown }[];
          ports: { port: number }[];
        }[];
      };
    };
    const lan = policy.spec.ingress[0];
    const cidr = lan?.from.find((from) => from.ipBlock)?.ipBlock?.cidr;
    expect(cidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(cidr).not.toBe("192.0.2.0/24");
    // ServiceLB forwards with its own pod's address: its pods must be admitted, the range checked at ServiceLB.
    expect(lan?.from).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "svccontroller.k3s.cattle.io/svcname": "edge-broker-lan" } },
    });
    expect(lan?.ports.map((port) => port.port)).toContain(1883);
    const service = workload(objects, "Service", "edge-broker-lan") as unknown as {
      spec: { type: string; loadBalancerSourceRanges?: string[] };
    };
    expect(service.spec.type).toBe("LoadBalancer");
    expect(service.spec.loadBalancerSourceRanges).toEqual([cidr]);
  });

  it("configures the broker only with variables of broker/README.md's table, users from a mounted Secret", () => {
    const documented = configurationVariables(path.join(repoDir, "broker/README.md"));
    expect(documented).toContain("BROKER_USERS_FILE");
    const deployment = workload(objects, "Deployment", "edge-broker");
    const pod = podSpecOf(deployment);
    const container = pod.containers[0] as Container;
    const environment = environmentOf(container, objects);
    expect(environment.size).toBeGreaterThan(3);
    for (const name of environment.keys()) expect(documented, `broker variable ${name}`).toContain(name);

    const files = secretFiles(container, pod);
    const usersFile = environment.get("BROKER_USERS_FILE") ?? "";
    expect(secretProviding(usersFile, files)).toBe("edge-broker-users/users.json");
    const bridgePassword = environment.get("BRIDGE_PASSWORD_FILE");
    if (bridgePassword !== undefined)
      expect(secretProviding(bridgePassword, files)).toBe("edge-broker-bridge/password");

    const dataMount = container.volumeMounts?.find((mount) => mount.mountPath === environment.get("DATA_DIR"));
    const dataVolume = pod.volumes?.find((volume) => volume.name === dataMount?.name);
    expect(dataVolume?.persistentVolumeClaim?.claimName).toBe("edge-broker-data");
  });

  it.each(["mqtt-connector", "cron-connector"])(
    "configures %s only with variables of connector/README.md's table, basic-auth at secret_mount_path",
    (name) => {
      const documented = configurationVariables(path.join(repoDir, "connector/README.md"));
      expect(documented).toContain("secret_mount_path");
      const pod = podSpecOf(workload(objects, "Deployment", name));
      const container = pod.containers[0] as Container;
      const environment = environmentOf(container, objects);
      for (const variable of environment.keys()) expect(documented, `${name} variable ${variable}`).toContain(variable);

      expect(environment.get("basic_auth")).toBe("true");
      const mountPath = environment.get("secret_mount_path") ?? "/var/secrets";
      const files = secretFiles(container, pod);
      expect(secretProviding(`${mountPath}/basic-auth-user`, files)).toBe("basic-auth/basic-auth-user");
      expect(secretProviding(`${mountPath}/basic-auth-password`, files)).toBe("basic-auth/basic-auth-password");
    },
  );

  it("gives mqtt-connector its broker password from a mounted Secret and its queue on a PVC", () => {
    const pod = podSpecOf(workload(objects, "Deployment", "mqtt-connector"));
    const container = pod.containers[0] as Container;
    const environment = environmentOf(container, objects);
    const passwordFile = environment.get("mqtt_password_file");
    expect(passwordFile).toBeDefined();
    expect(secretProviding(passwordFile ?? "", secretFiles(container, pod))).toBe(
      "edge-broker-mqtt-connector/password",
    );
    expect(environment.get("broker_url")).toBe("mqtt://edge-broker:1883");

    const dataMount = container.volumeMounts?.find((mount) => mount.mountPath === environment.get("data_dir"));
    const dataVolume = pod.volumes?.find((volume) => volume.name === dataMount?.name);
    expect(dataVolume?.persistentVolumeClaim?.claimName).toBe("mqtt-connector-data");
  });
});

describe("the Fleet bundle", () => {
  const fleetPath = path.join(k8sDir, "fleet.yaml");
  const fleet = parse(readFileSync(fleetPath, "utf8")) as {
    defaultNamespace?: string;
    kustomize?: { dir?: string };
    rolloutStrategy?: {
      maxUnavailablePartitions?: number;
      partitions?: { name: string; maxUnavailable?: number | string; clusterSelector?: unknown }[];
    };
    targetCustomizations?: {
      name: string;
      clusterSelector?: { matchLabels?: Record<string, string> };
      kustomize?: { dir?: string };
    }[];
  };

  it("points at kustomizations that exist", () => {
    const dirs = [fleet.kustomize?.dir, ...(fleet.targetCustomizations ?? []).map((target) => target.kustomize?.dir)];
    expect(dirs.length).toBeGreaterThan(1);
    for (const dir of dirs) {
      expect(dir, "a kustomize.dir").toBeDefined();
      expect(existsSync(path.join(k8sDir, dir ?? "", "kustomization.yaml")), `${dir}/kustomization.yaml`).toBe(true);
    }
  });

  it("rolls out to canary stores first, then to every other store: no store is left out of a partition", () => {
    const strategy = fleet.rolloutStrategy;
    expect(strategy?.maxUnavailablePartitions).toBe(0);
    const [canary, stores, ...more] = strategy?.partitions ?? [];
    expect(more).toEqual([]);
    expect(canary?.maxUnavailable).toBe(0);
    expect(canary?.clusterSelector).toEqual({ matchLabels: { "coffee-edge/ring": "canary" } });
    // The GitRepo sends the bundle to coffee-edge/role=store; the second partition takes all of those but canaries.
    expect(stores?.clusterSelector).toEqual({
      matchLabels: { "coffee-edge/role": "store" },
      matchExpressions: [{ key: "coffee-edge/ring", operator: "NotIn", values: ["canary"] }],
    });
  });

  it("gives every overlay a target selected by the store label", () => {
    const targets = new Map((fleet.targetCustomizations ?? []).map((target) => [target.kustomize?.dir, target]));
    for (const overlay of overlays) {
      const target = targets.get(`overlays/${overlay}`);
      expect(target?.clusterSelector?.matchLabels, overlay).toEqual({ store: overlay });
    }
    expect(fleet.defaultNamespace).toBe("openfaas");
  });

  it("is deployed by the GitRepo to every cluster labelled as a store, from a path that holds it", () => {
    const gitRepo = parse(readFileSync(path.join(deployDir, "fleet/gitrepo.yaml"), "utf8")) as {
      kind: string;
      spec: { paths: string[]; targets: { clusterSelector: { matchLabels: Record<string, string> } }[] };
    };
    expect(gitRepo.kind).toBe("GitRepo");
    for (const bundlePath of gitRepo.spec.paths) {
      expect(existsSync(path.join(repoDir, bundlePath, "fleet.yaml")), `${bundlePath}/fleet.yaml`).toBe(true);
    }
    expect(gitRepo.spec.targets.map((target) => target.clusterSelector.matchLabels)).toEqual([
      { "coffee-edge/role": "store" },
    ]);
  });
});
