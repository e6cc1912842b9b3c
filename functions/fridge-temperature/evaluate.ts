/**
 * The food-safety rules, as a pure function of the previous state and one reading: no clock, no store.
 *
 * - `tempC >= critical` → "critical" at once.
 * - `tempC > max` for at least `sustainSeconds` (by reading timestamps since the breach began) → "warning";
 *   a breach not yet sustained is still "ok".
 * - Once in an incident (warning or critical) the fridge stays in it until `tempC < max − hysteresis`: that
 *   reading answers "recovered", the next ones "ok" again. Between `max − hysteresis` and `max` the
 *   incident goes on as a warning, so a fridge hovering at the limit does not flap in and out of alerts.
 */

export type FridgeStatus = "ok" | "warning" | "critical" | "recovered";

export interface Thresholds {
  /** `MAX_TEMP_C`: above this, food is at risk once the breach is sustained. */
  readonly maxTempC: number;
  /** `CRITICAL_TEMP_C`: at or above this, an incident opens at once. */
  readonly criticalTempC: number;
  /** `SUSTAIN_SECONDS`: how long a breach must last before it is a warning. */
  readonly sustainSeconds: number;
  /** `HYSTERESIS_C`: how far below `maxTempC` a fridge must come back to end an incident. */
  readonly hysteresisC: number;
}

export interface EvaluatedState {
  readonly status: FridgeStatus;
  /** When the current status began (ISO 8601). */
  readonly statusSince: string;
  /** When the current run of readings above `maxTempC` began, or null. */
  readonly breachSince: string | null;
}

export interface Evaluation {
  readonly state: EvaluatedState;
  /** This reading opened an incident: the one moment an alert is raised. */
  readonly incidentOpened: boolean;
  /** This reading ended an incident. */
  readonly incidentClosed: boolean;
}

export interface EvaluatedReading {
  /** °C, already rounded as answered. */
  readonly tempC: number;
  /** ISO 8601, strictly later than the reading that produced `previous`. */
  readonly at: string;
}

export const MESSAGES: Readonly<Record<FridgeStatus, string>> = {
  ok: "Temperature OK",
  recovered: "Temperature OK",
  warning: "Warning: Too hot!",
  critical: "Warning: Too hot!",
};

export function isIncident(status: FridgeStatus): boolean {
  return status === "warning" || status === "critical";
}

export function evaluate(
  previous: EvaluatedState | undefined,
  reading: EvaluatedReading,
  thresholds: Thresholds,
): Evaluation {
  const { tempC, at } = reading;
  const inIncident = previous !== undefined && isIncident(previous.status);
  const breaching = tempC > thresholds.maxTempC;
  const breachSince = breaching ? (previous?.breachSince ?? at) : null;

  let status: FridgeStatus;
  if (inIncident) {
    if (tempC >= thresholds.criticalTempC) status = "critical";
    else if (tempC < thresholds.maxTempC - thresholds.hysteresisC) status = "recovered";
    else status = "warning";
  } else if (tempC >= thresholds.criticalTempC) {
    status = "critical";
  } else if (breachSince !== null && secondsBetween(breachSince, at) >= thresholds.sustainSeconds) {
    status = "warning";
  } else {
    status = "ok";
  }

  const statusSince = previous !== undefined && previous.status === status ? previous.statusSince : at;
  return {
    state: { status, statusSince, breachSince },
    incidentOpened: !inIncident && isIncident(status),
    incidentClosed: inIncident && status === "recovered",
  };
}

function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}
