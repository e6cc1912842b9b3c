import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { verifyPassword } from "../../broker/src/users/password-hash.js";

// deploy/secrets.sh runs against fake kubectl and faas-cli (fixtures/fake-bin) that record their argv in a log
// and keep the secrets they are given as files, so a second run sees what the first created.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const script = join(root, "deploy", "secrets.sh");
const stack = parse(readFileSync(join(root, "stack.yml"), "utf8")) as {
  functions: Record<string, { secrets?: string[] }>;
};
const stackSecrets = [...new Set(Object.values(stack.functions).flatMap((fn) => fn.secrets ?? []))].sort();

// Resolved once, so a run with a bare PATH still finds its interpreter.
const bash = spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();

const sandboxes: string[] = [];
afterEach(() => {
  for (const dir of sandboxes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Sandbox {
  dir: string;
  state: string;
  log: string;
  credentials: string;
  run(args?: string[], path?: string): { status: number | null; output: string };
}

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "secrets-script-"));
  sandboxes.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  for (const tool of ["kubectl", "faas-cli"]) {
    copyFileSync(join(here, "fixtures", "fake-bin", tool), join(bin, tool));
    chmodSync(join(bin, tool), 0o755);
  }
  const state = join(dir, "state");
  const log = join(dir, "calls.log");
  const credentials = join(dir, "credentials");
  return {
    dir,
    state,
    log,
    credentials,
    run(args = [], path = `${bin}:${process.env.PATH ?? ""}`) {
      const result = spawnSync(bash, [script, "--credentials-out", credentials, ...args], {
        cwd: root,
        env: { PATH: path, HOME: dir, TMPDIR: dir, FAKE_STATE: state, FAKE_LOG: log },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 15_000,
      });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    },
  };
}

const functionSecret = (box: Sandbox, name: string) => join(box.state, "faas", "openfaas-fn", name);
const kubeSecret = (box: Sandbox, name: string, key: string) => join(box.state, "kube", "openfaas", name, key);
const readLog = (box: Sandbox) => (existsSync(box.log) ? readFileSync(box.log, "utf8") : "");

/** Every value the fakes stored, and every generated password written for the operator. */
function storedValues(box: Sandbox): string[] {
  const values: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else values.push(readFileSync(path, "utf8").trim());
    }
  };
  walk(box.state);
  walk(box.credentials);
  return values.filter((value) => value.length > 0);
}

function expectNoValueIn(text: string, values: string[]) {
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    for (const line of value.split("\n").filter((l) => l.trim().length >= 8)) expect(text).not.toContain(line.trim());
    expect(text).not.toContain(Buffer.from(value).toString("base64"));
  }
}

describe("deploy/secrets.sh", () => {
  it("reads stack.yml's function secrets", () => {
    expect(stackSecrets).toEqual(expect.arrayContaining(["jwt-secret", "payment-api-key"]));
  });

  it("creates every secret the stack names, without a value in its output or argv, and nothing new the second time", async () => {
    const box = sandbox();
    const first = box.run(["--store", "store042"]);
    expect(first.output, first.output).toMatch(/jwt-secret\s+faas-cli\s+created/);
    expect(first.status).toBe(0);

    for (const name of stackSecrets)
      expect(readFileSync(functionSecret(box, name), "utf8").length, name).toBeGreaterThanOrEqual(32);
    const users = JSON.parse(readFileSync(kubeSecret(box, "edge-broker-users", "users.json"), "utf8")) as {
      users: { username: string; role: string; store?: string; hash: string }[];
    };
    expect(users.users.map((u) => [u.username, u.role]).sort()).toEqual([
      ["dashboard", "dashboard"],
      ["mqtt-connector", "connector"],
      ["sensor-store042", "sensor"],
    ]);
    const connectorPassword = readFileSync(kubeSecret(box, "edge-broker-mqtt-connector", "password"));
    const hashOf = (name: string) => users.users.find((u) => u.username === name)?.hash;
    expect(await verifyPassword(connectorPassword, hashOf("mqtt-connector"))).toBe(true);
    expect(
      await verifyPassword(readFileSync(join(box.credentials, "sensor-store042")), hashOf("sensor-store042")),
    ).toBe(true);
    expect(await verifyPassword(readFileSync(join(box.credentials, "dashboard")), hashOf("dashboard"))).toBe(true);

    const firstLog = readLog(box);
    expect(firstLog).toMatch(/^kubectl apply -f - \| stdin=yes$/m);
    expect(firstLog).not.toMatch(/--from-literal/);
    const before = storedValues(box);

    const second = box.run(["--store", "store042"]);
    expect(second.status, second.output).toBe(0);
    expect(second.output).not.toMatch(/\bcreated\b/);
    for (const name of [...stackSecrets, "edge-broker-users", "edge-broker-mqtt-connector"])
      expect(second.output).toMatch(new RegExp(`${name}\\s+\\S+\\s+exists, kept`));
    const secondLog = readLog(box).slice(firstLog.length);
    expect(secondLog).not.toMatch(/ create | apply /);
    expect(storedValues(box)).toEqual(before);

    expectNoValueIn(`${first.output}${second.output}${readLog(box)}`, before);
  });

  it("takes values from --from DIR, one file per secret", () => {
    const box = sandbox();
    const from = join(box.dir, "from");
    mkdirSync(from);
    const values: Record<string, string> = {
      "jwt-secret": "from-dir-jwt-secret-0123456789abcdef0123456789",
      "payment-api-key": "from-dir-payment-api-key-0123456789",
      "database-url": "postgres://app:from-dir-db-password@postgres.openfaas:5432/coffee",
      "edge-broker-mqtt-connector": "from-dir-edge-broker-mqtt-connector",
      "edge-broker-users": '{"version":1,"users":[]}',
      "edge-broker-bridge": "from-dir-bridge-password-xyz",
    };
    for (const [name, value] of Object.entries(values)) writeFileSync(join(from, name), value);

    const result = box.run(["--from", from]);
    expect(result.status, result.output).toBe(0);
    for (const name of [...stackSecrets, "database-url"])
      expect(readFileSync(functionSecret(box, name), "utf8"), name).toBe(values[name]);
    expect(readFileSync(kubeSecret(box, "edge-broker-mqtt-connector", "password"), "utf8")).toBe(
      values["edge-broker-mqtt-connector"],
    );
    expect(readFileSync(kubeSecret(box, "edge-broker-users", "users.json"), "utf8")).toBe(values["edge-broker-users"]);
    expect(readFileSync(kubeSecret(box, "edge-broker-bridge", "password"), "utf8")).toBe(values["edge-broker-bridge"]);
    expectNoValueIn(
      `${result.output}${readLog(box)}`,
      Object.values(values).filter((v) => !v.startsWith("{")),
    );
  });

  it("makes PostgreSQL's password and the database-url that holds it together with --postgres, and keeps both after", () => {
    const box = sandbox();
    const first = box.run(["--postgres"]);
    expect(first.status, first.output).toBe(0);
    expect(first.output).toMatch(/edge-postgres\s+kubectl\s+created/);
    expect(first.output).toMatch(/database-url\s+faas-cli\s+created/);
    const password = readFileSync(kubeSecret(box, "edge-postgres", "password"), "utf8");
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    const url = new URL(readFileSync(functionSecret(box, "database-url"), "utf8"));
    expect([url.protocol, url.username, url.password, url.host, url.pathname]).toEqual([
      "postgres:",
      "coffee",
      password,
      "edge-postgres.openfaas:5432",
      "/coffee",
    ]);

    const second = box.run(["--postgres"]);
    expect(second.status, second.output).toBe(0);
    expect(second.output).toMatch(/edge-postgres\s+kubectl\s+exists, kept/);
    expect(second.output).toMatch(/database-url\s+faas-cli\s+exists, kept/);
    expect(readFileSync(kubeSecret(box, "edge-postgres", "password"), "utf8")).toBe(password);
    expectNoValueIn(`${first.output}${second.output}${readLog(box)}`, [password, url.href]);

    // One of the pair gone: making the other alone would leave the functions with a password the database lacks.
    rmSync(functionSecret(box, "database-url"));
    const third = box.run(["--postgres"]);
    expect(third.status).toBe(1);
    expect(third.output).toContain("they must be made together");
    const replaced = box.run(["--postgres", "--replace"]);
    expect(replaced.status, replaced.output).toBe(0);
    const newPassword = readFileSync(kubeSecret(box, "edge-postgres", "password"), "utf8");
    expect(newPassword).not.toBe(password);
    expect(new URL(readFileSync(functionSecret(box, "database-url"), "utf8")).password).toBe(newPassword);
  });

  it("takes PostgreSQL's password from --from edge-postgres, and refuses one a URL cannot hold as it is", () => {
    const box = sandbox();
    const from = join(box.dir, "from");
    mkdirSync(from);
    writeFileSync(join(from, "edge-postgres"), "From-Dir.Postgres_Password~42\n");
    const result = box.run(["--postgres", "--from", from]);
    expect(result.status, result.output).toBe(0);
    expect(readFileSync(functionSecret(box, "database-url"), "utf8")).toBe(
      "postgres://coffee:From-Dir.Postgres_Password~42@edge-postgres.openfaas:5432/coffee",
    );
    expectNoValueIn(`${result.output}${readLog(box)}`, ["From-Dir.Postgres_Password~42"]);

    writeFileSync(join(from, "edge-postgres"), "has/slash@and:colon-password");
    const refused = sandbox().run(["--postgres", "--from", from]);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("edge-postgres must be one line");
    expect(refused.output).not.toContain("has/slash");

    writeFileSync(join(from, "database-url"), "postgres://someone@elsewhere/db");
    const both = sandbox().run(["--postgres", "--from", from]);
    expect(both.status).toBe(1);
    expect(both.output).toContain("--postgres makes database-url");
  });

  it("refuses half of the broker's pair from --from: the password must be the users file's", () => {
    const box = sandbox();
    const from = join(box.dir, "from");
    mkdirSync(from);
    writeFileSync(join(from, "edge-broker-mqtt-connector"), "lonely-password-value");
    const result = box.run(["--from", from]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("both edge-broker-users and edge-broker-mqtt-connector");
    expect(result.output).not.toContain("lonely-password-value");
  });

  it("prints the commands with names only under --dry-run, and contacts nothing", () => {
    const box = sandbox();
    const result = box.run(["--dry-run", "--store", "store042"]);
    expect(result.status, result.output).toBe(0);
    for (const name of stackSecrets) expect(result.output).toContain(`faas-cli secret create ${name} --from-file=`);
    expect(result.output).toContain("kubectl create secret generic edge-broker-users --namespace openfaas");
    expect(result.output).toContain("kubectl create secret generic edge-broker-mqtt-connector --namespace openfaas");
    expect(result.output).toContain("user add sensor-store042 --role sensor --store store042");
    expect(existsSync(box.log)).toBe(false);
    expect(existsSync(box.state)).toBe(false);
    const postgres = box.run(["--dry-run", "--postgres"]);
    expect(postgres.status, postgres.output).toBe(0);
    expect(postgres.output).toContain("kubectl create secret generic edge-postgres --namespace openfaas");
    expect(postgres.output).toContain("faas-cli secret create database-url --from-file=<postgres://coffee:…");
    expect(existsSync(box.log)).toBe(false);
    expect(existsSync(box.state)).toBe(false);
  });

  it("stops with a clear message when kubectl or faas-cli is missing", () => {
    const box = sandbox();
    // A PATH holding only the tools the script needs before it checks for kubectl and faas-cli.
    const tools = join(box.dir, "bare-bin");
    mkdirSync(tools);
    for (const tool of ["dirname", "awk", "sort", "sed", "grep", "tr", "cat"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(found, join(tools, tool));
    }
    const result = box.run([], tools);
    expect(result.status).toBe(1);
    expect(result.output).toContain("not found on PATH: kubectl faas-cli");
    expect(existsSync(box.log)).toBe(false);
  });
});
