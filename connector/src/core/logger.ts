import type { ControllerLogger } from "./controller.js";

/** One JSON line per event on stdout (info) or stderr (warnings), as the template's functions log. */
export function createJsonLogger(component: string): ControllerLogger {
  const line = (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) =>
    JSON.stringify({ level, time: new Date().toISOString(), msg, component, ...fields });
  return {
    info: (msg, fields) => process.stdout.write(`${line("info", msg, fields)}\n`),
    warn: (msg, fields) => process.stderr.write(`${line("warn", msg, fields)}\n`),
  };
}
