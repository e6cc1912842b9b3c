/** What handlers import from the template: `import type { Handler } from "@coffee-edge/node18-typescript"`. */

export { createLogger, type LogFields, type Logger } from "./log.js";
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  type ProblemBody,
  ProblemError,
  type ProblemInit,
  problemType,
} from "./problem.js";
export { readSecret, readSecretSync, SecretNotFoundError, type SecretOptions } from "./secrets.js";
export type { FunctionContext, FunctionEvent, Handler, HeaderValues, QueryValue } from "./types.js";
