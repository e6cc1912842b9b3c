import { createValidator, type FromSchema } from "@coffee-edge/node18-typescript/validation";
import { PLAUSIBLE_RANGE_ANY_UNIT } from "./temperature.js";
import { ID_MAX_LENGTH, ID_PATTERN } from "./topic.js";

// The schema bounds `temp` loosely, to what is plausible in either unit; reading.ts checks the exact range
// once the unit is known.
const temperatureSchema = {
  type: "number",
  minimum: PLAUSIBLE_RANGE_ANY_UNIT.min,
  maximum: PLAUSIBLE_RANGE_ANY_UNIT.max,
} as const;

const idSchema = { type: "string", minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN } as const;

/** `{"temp": 97.4, "unit": "F", "ts": "…"}`, optionally naming its store and fridge. */
export const readingObjectSchema = {
  type: "object",
  additionalProperties: false,
  required: ["temp"],
  properties: {
    temp: temperatureSchema,
    unit: { type: "string", enum: ["C", "F"] },
    ts: { type: "string", format: "date-time", maxLength: 40 },
    store: idSchema,
    fridge: idSchema,
  },
} as const;

export type ReadingObject = FromSchema<typeof readingObjectSchema>;

export const readingObject = createValidator(readingObjectSchema);
/** A bare number: the temperature alone, in `DEFAULT_UNIT`. */
export const bareReading = createValidator(temperatureSchema);

/** True for every body a reading accepts as JSON: what the bad-input test must not count as bad. */
export function acceptsReadingBody(value: unknown): boolean {
  return bareReading.check(value) || readingObject.check(value);
}
