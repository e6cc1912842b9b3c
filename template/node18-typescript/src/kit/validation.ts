import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { isJsonMediaType } from "../body.js";
import { ProblemError, problemType } from "../problem.js";
import type { FunctionEvent } from "../types.js";

export type { FromSchema, JSONSchema };

/** One schema violation, as RFC 9457's own example shapes them: a JSON Pointer into the body and a message. */
export interface SchemaViolation {
  pointer: string;
  detail: string;
  keyword: string;
}

export interface Validator<T> {
  readonly schema: JSONSchema;
  /** Returns the value typed as the schema says, or throws a 400 problem listing the violations. */
  parse(value: unknown): T;
  /** The request body, which must be JSON (415 otherwise), checked as `parse` does. */
  body(event: Pick<FunctionEvent, "body" | "headers">): T;
  /** True when the value matches; never throws. */
  check(value: unknown): value is T;
}

/** At most this many violations are listed in a problem: enough to fix a request, bounded for a hostile one. */
const MAX_LISTED_VIOLATIONS = 20;

// One Ajv for every schema of the process: strict mode refuses a schema with unknown keywords or
// ambiguous types, so a typo in a schema fails at start, not by accepting bad input.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
// ajv-formats is CommonJS whose d.ts declares only a default export; under NodeNext the import is the module.
(formats as unknown as { default: (instance: Ajv) => void }).default(ajv);

/**
 * Compiles a JSON Schema once and derives the TypeScript type from the same literal (json-schema-to-ts),
 * so the checks and the types cannot drift. Write the schema `as const`. Every object in it must say
 * `additionalProperties: false`, or give a schema for a map's values (checked here): unknown properties
 * are rejected, never ignored.
 */
export function createValidator<const S extends JSONSchema, T = FromSchema<S>>(schema: S): Validator<T> {
  assertClosedObjects(schema, "#");
  // T is computed at the call site only: inside this generic body it would be too deep for the compiler.
  const validate = ajv.compile(schema as object) as ValidateFunction<T>;
  const parse = (value: unknown): T => {
    if (validate(value)) return value;
    throw invalidRequest(validate.errors ?? []);
  };
  return {
    schema,
    parse,
    body(event) {
      requireJsonBody(event);
      return parse(event.body);
    },
    check: (value: unknown): value is T => validate(value),
  };
}

/** 415 unless the request declared a JSON media type (the shell then parsed the body, or answered 400). */
export function requireJsonBody(event: Pick<FunctionEvent, "body" | "headers">): void {
  if (isJsonMediaType(event.headers["content-type"])) return;
  throw new ProblemError(415, {
    type: problemType("unsupported-media-type"),
    title: "Unsupported media type",
    detail: "Send the body as application/json.",
  });
}

export function invalidRequest(errors: readonly ErrorObject[]): ProblemError {
  const violations = errors.slice(0, MAX_LISTED_VIOLATIONS).map(toViolation);
  const first = violations[0];
  return new ProblemError(400, {
    type: problemType("invalid-request"),
    title: "Request does not match its schema",
    detail: first ? `${first.pointer || "the body"} ${first.detail}` : "The request body is invalid.",
    extensions: { errors: violations },
  });
}

function toViolation(error: ErrorObject): SchemaViolation {
  const params = error.params as Record<string, unknown>;
  // Point at the offending member itself where Ajv reports its parent.
  const member =
    typeof params.additionalProperty === "string"
      ? params.additionalProperty
      : typeof params.missingProperty === "string"
        ? params.missingProperty
        : undefined;
  const pointer = member === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(member)}`;
  const detail = member === undefined ? (error.message ?? "is invalid") : describeMember(error.keyword);
  return { pointer, detail, keyword: error.keyword };
}

function describeMember(keyword: string): string {
  return keyword === "required" ? "is required" : "is not an allowed property";
}

function escapePointer(segment: string): string {
  // Bounded, so a hostile 1 MB property name cannot make the answer huge.
  return segment.slice(0, 100).replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Throws when an object schema anywhere inside would accept unknown properties. */
function assertClosedObjects(schema: unknown, at: string): void {
  if (typeof schema !== "object" || schema === null) return;
  const node = schema as Record<string, unknown>;
  const isObject = node.type === "object" || (Array.isArray(node.type) && node.type.includes("object"));
  const open = node.additionalProperties === undefined || node.additionalProperties === true;
  if (isObject && open && node.patternProperties === undefined) {
    throw new Error(`schema ${at}: an object schema must set additionalProperties (false, or a schema for a map)`);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === "properties" || key === "$defs" || key === "definitions" || key === "patternProperties") {
      for (const [name, sub] of Object.entries(child as Record<string, unknown>)) {
        assertClosedObjects(sub, `${at}/${key}/${name}`);
      }
    } else if (Array.isArray(child)) {
      child.forEach((sub, index) => {
        assertClosedObjects(sub, `${at}/${key}/${index}`);
      });
    } else if (typeof child === "object" && child !== null && key !== "const" && key !== "enum") {
      assertClosedObjects(child, `${at}/${key}`);
    }
  }
}
