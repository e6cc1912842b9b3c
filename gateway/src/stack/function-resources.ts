import { stringify } from "yaml";
import type { ResourceList, Stack, StackFunction } from "./stack.js";
import { StackError } from "./stack-error.js";

/**
 * A stack function as OpenFaaS's operator takes it (OpenFaaS Standard with `operator.create`): a Function resource
 * of openfaas.com/v1, the same object `faas-cli generate` writes and the gateway's REST API creates. A GitOps tool
 * (Fleet) can then deploy the functions with everything else (deploy/README.md).
 */
export interface FunctionResource {
  readonly apiVersion: "openfaas.com/v1";
  readonly kind: "Function";
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: FunctionResourceSpec;
}

export interface FunctionResourceSpec {
  readonly name: string;
  readonly image: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly environment?: Readonly<Record<string, string>>;
  /** Always present, even empty, so a kustomize JSON patch can append to it (`/spec/secrets/-`). */
  readonly secrets: readonly string[];
  readonly limits?: ResourceList;
  readonly requests?: ResourceList;
}

/** Every function of `stack` as a Function in `namespace`, in the stack's order. */
export function functionResources(stack: Stack, namespace: string): FunctionResource[] {
  return stack.functions.map((fn) => functionResource(fn, namespace));
}

function functionResource(fn: StackFunction, namespace: string): FunctionResource {
  if (fn.image === undefined || fn.image === "") {
    throw new StackError(`functions.${fn.name}.image: a Function needs an image (add image: to the stack)`);
  }
  const { environment, labels, annotations, secrets, limits, requests, fprocess } = fn.deployment;
  // faas-cli sends an fprocess override to the watchdog as the environment variable of that name.
  const withProcess = fprocess === undefined ? environment : { ...environment, fprocess };
  return {
    apiVersion: "openfaas.com/v1",
    kind: "Function",
    metadata: { name: fn.name, namespace },
    spec: {
      name: fn.name,
      image: fn.image,
      ...nonEmpty("labels", labels),
      ...nonEmpty("annotations", annotations),
      ...nonEmpty("environment", withProcess),
      secrets: [...secrets],
      ...(limits === undefined ? {} : { limits }),
      ...(requests === undefined ? {} : { requests }),
    },
  };
}

function nonEmpty<K extends string>(key: K, map: Readonly<Record<string, string>>) {
  return Object.keys(map).length === 0 ? {} : ({ [key]: map } as Record<K, Readonly<Record<string, string>>>);
}

/** The resources as one YAML stream, under a header that says where they come from. */
export function functionResourcesYaml(resources: readonly FunctionResource[], header: string): string {
  const documents = resources.map((resource) => stringify(resource, { lineWidth: 0 }));
  return `${header
    .split("\n")
    .map((line) => `# ${line}`.trimEnd())
    .join("\n")}\n${documents.join("---\n")}`;
}
