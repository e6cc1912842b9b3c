// What the dashboard's live stream carries: the sensors' messages as the broker relays them, and the functions'
// alerts as their webhook delivers them. Shared by the parsers, the feed and the SSE route.

/** A fridge reading in °C (rounded to 0.1, as fridge-temperature evaluates it) at `ts` (epoch ms). */
export interface FridgeReading {
  readonly type: "reading";
  readonly store: string;
  readonly fridge: string;
  readonly tempC: number;
  readonly ts: number;
}

/** Shots pulled on an espresso machine at `ts` (epoch ms); the day's count comes from espresso-counter. */
export interface EspressoShot {
  readonly type: "shot";
  readonly store: string;
  readonly machine: string;
  readonly shots: number;
  readonly ts: number;
}

/** An alert of fridge-temperature or espresso-counter, in one shape for the page. */
export interface DashboardAlert {
  readonly type: "alert";
  /** The sender's idempotency key: a redelivered alert is shown once. */
  readonly id: string;
  readonly source: "fridge" | "espresso";
  readonly store: string;
  /** The fridge or the machine. */
  readonly device: string;
  /** `warning`, `critical`, `sensor-offline`, or `threshold-reached`. */
  readonly status: string;
  readonly message: string;
  /** When it happened, as the sender says (RFC 3339). */
  readonly at: string;
  readonly tempC?: number;
  readonly count?: number;
  readonly threshold?: number;
}

export type LiveEvent = FridgeReading | EspressoShot | DashboardAlert;

/** Store, fridge and machine ids as the functions accept them. */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
