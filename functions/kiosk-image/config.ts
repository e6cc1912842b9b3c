import { type Env, envInteger } from "@coffee-edge/node18-typescript/env";

/** 50 megapixels: past any kiosk camera (12 MP), far below what would exhaust a store box's memory. */
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;

export interface KioskImageConfig {
  /** `MAX_INPUT_PIXELS`: the largest width × height accepted, decided from the image header. */
  readonly maxInputPixels: number;
}

/** Reads the function's configuration once; throws a ConfigError naming the first unusable variable. */
export function loadConfig(env: Env): KioskImageConfig {
  return {
    // At most a gigapixel: a grayscale copy of more would not fit a store box's memory anyway.
    maxInputPixels: envInteger(env, "MAX_INPUT_PIXELS", DEFAULT_MAX_INPUT_PIXELS, { min: 1, max: 1_000_000_000 }),
  };
}
