import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayMetrics } from "../observe/metrics.js";
import type { FunctionRuntime } from "../runtime/function-runtime.js";
import { NAMESPACE, withDeployment } from "../runtime/function-spec.js";
import type { StackDeployment } from "../stack/stack.js";
import { StackError } from "../stack/stack-error.js";
import { functionStatus } from "./function-status.js";
import { sendProblem } from "./problem.js";
import { BodyTooLargeError, readJsonObject } from "./read-body.js";
import { sendJson } from "./send-json.js";

export interface SystemDeps {
  readonly runtime: FunctionRuntime;
  readonly metrics: GatewayMetrics;
  readonly downWindowDefaultMs: number;
  readonly warn: (message: string) => void;
}

const BODY_LIMIT = 1024 * 1024;

/** `/system/functions`: GET lists; PUT updates a function of the stack; POST and DELETE cannot work here. */
export async function handleFunctions(deps: SystemDeps, req: IncomingMessage, res: ServerResponse, url: URL) {
  switch (req.method) {
    case "GET": {
      // Always an array, even for another namespace: connectors and faas-cli fail on anything else.
      const namespace = url.searchParams.get("namespace");
      const pools = namespace && namespace !== NAMESPACE ? [] : deps.runtime.list();
      sendJson(
        res,
        200,
        pools.map((pool) => functionStatus(pool, deps.metrics)),
      );
      return;
    }
    case "PUT":
      await updateFunction(deps, req, res);
      return;
    case "POST":
    case "DELETE":
      sendProblem(res, 501, {
        type: "local-runtime-cannot-deploy",
        title: "Not Implemented",
        detail:
          req.method === "POST"
            ? "this gateway runs the functions of its stack.yml from their handler folders and cannot deploy an image: " +
              "add the function to stack.yml and restart `npm start`, or deploy it to OpenFaaS on K3s"
            : "this gateway runs the functions of its stack.yml: remove the function from stack.yml and restart `npm start`",
      });
      return;
    default:
      methodNotAllowed(res, "GET, PUT, POST, DELETE");
  }
}

/**
 * `faas-cli deploy` sends PUT first and POST on 404. For a function of the stack, an update is applied the way
 * OpenFaaS rolls a deployment: new replicas with the new environment, labels, annotations and secrets start,
 * then the old ones drain. The image is not used: the handler folder is what runs here.
 */
async function updateFunction(deps: SystemDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBodyOrAnswer(req, res);
  if (!body) return;
  const service = body.service;
  if (typeof service !== "string" || service === "") {
    sendProblem(res, 400, { type: "invalid-request", detail: 'the deployment needs "service", the function name' });
    return;
  }
  const pool = deps.runtime.get(service);
  if (!pool || (typeof body.namespace === "string" && body.namespace !== "" && body.namespace !== NAMESPACE)) {
    sendProblem(res, 404, { type: "function-not-found", detail: `function: ${service}.${NAMESPACE} not found` });
    return;
  }
  const deployment = readDeployment(body);
  if (typeof deployment === "string") {
    sendProblem(res, 400, { type: "invalid-request", detail: deployment });
    return;
  }
  try {
    pool.replace(
      withDeployment(pool.spec, deployment, { downWindowDefaultMs: deps.downWindowDefaultMs, warn: deps.warn }),
    );
  } catch (error) {
    if (!(error instanceof StackError)) throw error;
    sendProblem(res, 400, { type: "invalid-request", detail: error.message });
    return;
  }
  res.writeHead(202).end();
}

/** The members of faas-provider's `FunctionDeployment` the local runtime honours, checked. */
function readDeployment(body: Record<string, unknown>): StackDeployment | string {
  const map = (member: string): Record<string, string> | string => {
    const value = body[member];
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) return `"${member}" must be an object of strings`;
    for (const entry of Object.values(value))
      if (typeof entry !== "string") return `"${member}" must be an object of strings`;
    return value as Record<string, string>;
  };
  const environment = map("envVars");
  const labels = map("labels");
  const annotations = map("annotations");
  for (const value of [environment, labels, annotations]) if (typeof value === "string") return value;
  const secrets = body.secrets ?? [];
  if (!Array.isArray(secrets) || secrets.some((name) => typeof name !== "string")) {
    return '"secrets" must be a list of secret names';
  }
  return {
    environment: environment as Record<string, string>,
    labels: labels as Record<string, string>,
    annotations: annotations as Record<string, string>,
    secrets: secrets as string[],
    ...(isResources(body.limits) ? { limits: body.limits } : {}),
    ...(isResources(body.requests) ? { requests: body.requests } : {}),
  };
}

function isResources(value: unknown): value is { memory?: string; cpu?: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `/system/function/{name}`: one status, 404 when unknown. */
export function handleFunction(deps: SystemDeps, req: IncomingMessage, res: ServerResponse, name: string): void {
  if (req.method !== "GET") {
    methodNotAllowed(res, "GET");
    return;
  }
  const pool = deps.runtime.get(name);
  if (!pool) {
    sendProblem(res, 404, { type: "function-not-found", detail: `function: ${name} not found` });
    return;
  }
  sendJson(res, 200, functionStatus(pool, deps.metrics));
}

/**
 * `/system/scale-function/{name}` with `{"serviceName","replicas"}`: 202. Unlike OpenFaaS CE (1..5), 0 is allowed
 * here, as scale to zero is; the count is capped at the function's `com.openfaas.scale.max`.
 */
export async function handleScale(deps: SystemDeps, req: IncomingMessage, res: ServerResponse, name: string) {
  if (req.method !== "POST") return methodNotAllowed(res, "POST");
  const pool = deps.runtime.get(name);
  if (!pool) {
    sendProblem(res, 404, { type: "function-not-found", detail: `function: ${name} not found` });
    return;
  }
  const body = await readBodyOrAnswer(req, res);
  if (!body) return;
  const replicas = body.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    sendProblem(res, 400, { type: "invalid-request", detail: '"replicas" must be a whole number ≥ 0' });
    return;
  }
  pool.scaleTo(replicas);
  res.writeHead(202).end();
}

async function readBodyOrAnswer(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed = await readJsonObject(req, BODY_LIMIT);
    if (parsed.ok) return parsed.value;
    sendProblem(res, 400, { type: "invalid-request", detail: parsed.detail });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendProblem(res, 413, { type: "body-too-large", detail: error.message });
  }
  return undefined;
}

export function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendProblem(res, 405, { type: "method-not-allowed", detail: `this route takes ${allow}`, headers: { Allow: allow } });
}
