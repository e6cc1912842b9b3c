import { ProblemError, problemType, type QueryValue } from "@coffee-edge/node18-typescript";

export type OutputFormat = "jpeg" | "png";

export interface OutputOptions {
  readonly format: OutputFormat;
  /** Target width in pixels; the height follows the aspect ratio. Undefined keeps the size. */
  readonly width?: number;
}

export const MAX_WIDTH = 4096;
const FORMATS: readonly OutputFormat[] = ["jpeg", "png"];
const PARAMETERS = ["format", "width"];

interface QueryViolation {
  parameter: string;
  detail: string;
}

/**
 * Reads `?format=jpeg|png` (default jpeg) and `?width=1..4096` (whole pixels). Anything else is a 400 listing
 * every bad parameter: a misspelt or repeated parameter is refused rather than silently ignored, so a kiosk
 * never gets an image it did not ask for.
 */
export function parseOutputOptions(query: Readonly<Record<string, QueryValue>>): OutputOptions {
  const violations: QueryViolation[] = [];
  for (const name of Object.keys(query)) {
    if (!PARAMETERS.includes(name))
      violations.push({ parameter: name.slice(0, 100), detail: "is not a known parameter" });
    else if (Array.isArray(query[name])) violations.push({ parameter: name, detail: "is given more than once" });
  }
  const format = single(query.format) ?? "jpeg";
  if (!FORMATS.includes(format as OutputFormat)) {
    violations.push({ parameter: "format", detail: `must be one of ${FORMATS.join(", ")}` });
  }
  const widthText = single(query.width);
  const width = widthText === undefined ? undefined : Number(widthText);
  if (widthText !== undefined && !(/^[1-9]\d{0,3}$/.test(widthText) && (width as number) <= MAX_WIDTH)) {
    violations.push({ parameter: "width", detail: `must be a whole number of pixels from 1 to ${MAX_WIDTH}` });
  }
  if (violations.length > 0) throw invalidQuery(violations);
  return width === undefined ? { format: format as OutputFormat } : { format: format as OutputFormat, width };
}

function single(value: QueryValue | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invalidQuery(violations: QueryViolation[]): ProblemError {
  const first = violations[0] as QueryViolation;
  return new ProblemError(400, {
    type: problemType("invalid-query"),
    title: "Invalid query parameters",
    detail: `${first.parameter} ${first.detail}`,
    extensions: { errors: violations.slice(0, 10) },
  });
}
