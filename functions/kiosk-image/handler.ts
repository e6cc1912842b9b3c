import { type Handler, ProblemError, problemType } from "@coffee-edge/node18-typescript";
import { step } from "@coffee-edge/node18-typescript/steps";
import { type KioskImageConfig, loadConfig } from "./config.js";
import { type GrayscaleOptions, type GrayscaleResult, toGrayscale } from "./grayscale.js";
import { parseOutputOptions } from "./output-options.js";
import { unsupportedMediaType } from "./problems.js";

export interface KioskImageDeps {
  readonly config: KioskImageConfig;
  /** The conversion; tests may wrap it. */
  readonly transform?: (input: Buffer, options: GrayscaleOptions) => Promise<GrayscaleResult>;
}

const CONTENT_TYPES = { jpeg: "image/jpeg", png: "image/png" } as const;

/**
 * POST an image (the function runs with RAW_BODY=true, so the body is bytes whatever its declared type), get
 * it back in grayscale. The declared Content-Type is ignored: the format is read from the bytes themselves.
 */
export function createHandler(deps: KioskImageDeps): Handler {
  const transform = deps.transform ?? toGrayscale;
  const { maxInputPixels } = deps.config;

  return async function kioskImage(event, context) {
    if (event.method !== "POST") throw methodNotAllowed(event.method);
    const output = parseOutputOptions(event.query);
    // Without RAW_BODY a JSON or text body arrives parsed; it cannot be an image either way.
    if (!Buffer.isBuffer(event.body)) throw unsupportedMediaType("The body is not a JPEG, PNG or WebP image.");
    const input = event.body;
    const result = await step("transform", () => transform(input, { ...output, maxInputPixels }), {
      "image.input_bytes": input.length,
      "image.output_format": output.format,
    });
    return context
      .status(200)
      .headers({
        "content-type": CONTENT_TYPES[result.format],
        // Kiosk camera frames show people: no shared cache should keep a copy.
        "cache-control": "no-store",
      })
      .succeed(result.data);
  };
}

function methodNotAllowed(method: string): ProblemError {
  return new ProblemError(405, {
    type: problemType("method-not-allowed"),
    title: "Method not allowed",
    detail: `${method} is not supported: POST an image to convert it.`,
    headers: { allow: "POST" },
  });
}

export default createHandler({ config: loadConfig(process.env) });
