import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// stack.yml is what faas-cli deploys: these are the requirements for it, checked on the raw file
// (before ${VAR} substitution, so the image variables themselves are visible).

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface StackFunction {
  lang: string;
  handler: string;
  image: string;
  environment?: Record<string, string>;
  secrets?: string[];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  limits?: { memory?: string; cpu?: string };
  requests?: { memory?: string; cpu?: string };
}

const stack = parse(readFileSync(join(root, "stack.yml"), "utf8")) as { functions: Record<string, StackFunction> };
const folders = readdirSync(join(root, "functions"));
const scaleToZero = ["payment", "inventory-check", "receipt", "kiosk-image"];
const alwaysOn = ["fridge-temperature", "espresso-counter"];

/** "128Mi" → bytes, "250m" → cores: sizes must fit a 2–4 GB store computer. */
const mebibytes = (text = "") => Number(/^(\d+)Mi$/.exec(text)?.[1] ?? Number.NaN);
const cores = (text = "") => (text.endsWith("m") ? Number(text.slice(0, -1)) / 1000 : Number(text));

describe("stack.yml", () => {
  it("lists every function folder, with the template, its handler and a substitutable image", () => {
    expect(folders.sort()).toEqual([...scaleToZero, ...alwaysOn].sort());
    for (const name of folders) {
      const fn = stack.functions[name];
      expect(fn, name).toBeDefined();
      expect(fn?.lang).toBe("node18-typescript");
      expect(fn?.handler).toBe(`./functions/${name}`);
      expect(fn?.image).toMatch(new RegExp(`^\\$\\{REGISTRY:-[^}]+\\}/${name}:\\$\\{TAG:-latest\\}$`));
    }
  });

  it("sizes every function for a small store computer", () => {
    for (const name of folders) {
      const fn = stack.functions[name] as StackFunction;
      expect(mebibytes(fn.requests?.memory), name).toBeLessThanOrEqual(mebibytes(fn.limits?.memory));
      expect(mebibytes(fn.limits?.memory), name).toBeLessThanOrEqual(512);
      expect(cores(fn.requests?.cpu), name).toBeLessThanOrEqual(cores(fn.limits?.cpu));
      expect(cores(fn.limits?.cpu), name).toBeLessThanOrEqual(1);
    }
  });

  it("scales the request-driven functions to zero and keeps the sensor-fed ones at one replica", () => {
    for (const name of scaleToZero) {
      const labels = stack.functions[name]?.labels ?? {};
      expect(labels["com.openfaas.scale.zero"], name).toBe("true");
      expect(labels["com.openfaas.scale.zero-duration"], name).toMatch(/^\d+m$/);
      expect(labels["com.openfaas.scale.min"], name).toBeUndefined();
    }
    for (const name of alwaysOn) {
      const labels = stack.functions[name]?.labels ?? {};
      expect(labels["com.openfaas.scale.min"], name).toBe("1");
      expect(labels["com.openfaas.scale.zero"], name).toBeUndefined();
    }
    for (const name of folders) {
      expect(Number(stack.functions[name]?.labels?.["com.openfaas.scale.max"]), name).toBeGreaterThanOrEqual(2);
    }
  });

  it("carries the MQTT topics and cron schedules the connectors read", () => {
    expect(stack.functions["fridge-temperature"]?.annotations).toEqual({
      topic: "store/+/fridge/+/temp,cron-function",
      schedule: "*/5 * * * *",
    });
    expect(stack.functions["espresso-counter"]?.annotations).toEqual({
      topic: "store/+/espresso/+/shot,cron-function",
      schedule: "5 0 * * *",
    });
    expect(stack.functions["inventory-check"]?.annotations?.topic).toBe("cron-function");
    expect(stack.functions["inventory-check"]?.annotations?.schedule).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });

  it("names the secrets and settings each function reads", () => {
    expect(stack.functions.payment?.secrets).toEqual(["jwt-secret", "payment-api-key"]);
    expect(stack.functions["inventory-check"]?.secrets).toEqual(["jwt-secret"]);
    expect(stack.functions["kiosk-image"]?.environment).toMatchObject({ RAW_BODY: "true", MAX_RAW_SIZE: "10mb" });
    expect(Object.keys(stack.functions["fridge-temperature"]?.environment ?? {})).toEqual(
      expect.arrayContaining(["MAX_TEMP_C", "CRITICAL_TEMP_C", "SUSTAIN_SECONDS", "HYSTERESIS_C", "ALERT_WEBHOOK_URL"]),
    );
    expect(Object.keys(stack.functions["espresso-counter"]?.environment ?? {})).toEqual(
      expect.arrayContaining(["DAILY_THRESHOLD", "STORE_TIMEZONE", "USAGE_SINK_URL"]),
    );
  });
});
