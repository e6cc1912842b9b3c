import { Ajv } from "ajv";

// OpenFaaS's Function resource (openfaas.com/v1, faas-netes pkg/apis/openfaas/v1 FunctionSpec), as a JSON schema:
// kubernetes-models has no schema for it. Unknown members are refused, so a misspelt field fails here, not on a store.
const resources = {
  type: "object",
  properties: { memory: { type: "string" }, cpu: { type: "string" } },
  additionalProperties: false,
};
const stringMap = { type: "object", additionalProperties: { type: "string" } };

const functionSchema = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "openfaas.com/v1" },
    kind: { const: "Function" },
    metadata: {
      type: "object",
      required: ["name", "namespace"],
      properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
        namespace: { type: "string" },
      },
    },
    spec: {
      type: "object",
      required: ["name", "image"],
      properties: {
        name: { type: "string" },
        image: { type: "string", minLength: 1 },
        handler: { type: "string" },
        annotations: stringMap,
        labels: stringMap,
        environment: stringMap,
        constraints: { type: "array", items: { type: "string" } },
        secrets: { type: "array", items: { type: "string" } },
        limits: resources,
        requests: resources,
        readOnlyRootFilesystem: { type: "boolean" },
      },
      additionalProperties: false,
    },
  },
};

const validate = new Ajv({ allErrors: true }).compile(functionSchema);

/** Throws naming every problem when `object` is not a valid Function; its spec.name must be its own name. */
export function validateFunction(object: unknown): void {
  if (!validate(object)) {
    throw new Error(`invalid Function: ${validate.errors?.map((e) => `${e.instancePath} ${e.message}`).join("; ")}`);
  }
  const { metadata, spec } = object as { metadata: { name: string }; spec: { name: string } };
  if (metadata.name !== spec.name) throw new Error(`Function ${metadata.name}: spec.name is ${spec.name}`);
}
