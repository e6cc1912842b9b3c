import { Cron } from "croner";

/**
 * A cron schedule the connector can run: what a function's `schedule` annotation says, checked.
 *
 * `expression` is the pattern croner runs: five fields (descriptors expanded, `?` written as `*`), or the
 * `@every …` text when `everySeconds` is set (a fixed delay, not a calendar pattern).
 */
export interface Schedule {
  readonly expression: string;
  /** IANA zone from a `CRON_TZ=` / `TZ=` prefix; absent = the process's local zone (UTC in the image). */
  readonly timeZone?: string;
  /** `@every 5m` as robfig/cron has it: a run every N seconds, counted from when the job was added. */
  readonly everySeconds?: number;
}

/** Why a schedule cannot run, as one short sentence. */
export interface ScheduleProblem {
  readonly problem: string;
}

export type ParsedSchedule = Schedule | ScheduleProblem;

/**
 * Parses a `schedule` annotation as OpenFaaS's cron-connector does (robfig/cron v3, Minute|Hour|Dom|Month|Dow|
 * Descriptor): five fields with Vixie cron semantics, `@yearly`-style descriptors, `@every <duration>`, and an
 * optional `CRON_TZ=Area/City ` or `TZ=Area/City ` prefix. Six fields (seconds) are refused, as OpenFaaS does.
 */
export function parseSchedule(text: string): ParsedSchedule {
  return parseWith(text, false);
}

/**
 * Only for tests: also takes a six-field expression whose first field is seconds, so a scheduler test can tick
 * every second. Kept apart from `parseSchedule` so no annotation can reach it.
 */
export function parseScheduleAllowingSeconds(text: string): ParsedSchedule {
  return parseWith(text, true);
}

export function isScheduleProblem(parsed: ParsedSchedule): parsed is ScheduleProblem {
  return "problem" in parsed;
}

/** The first run strictly after `after`. Throws only for a schedule that did not come from `parseSchedule`. */
export function nextRun(schedule: Schedule, after: Date): Date {
  if (schedule.everySeconds !== undefined) {
    // robfig's ConstantDelaySchedule: drop the sub-second part, then add the delay.
    return new Date(Math.floor(after.getTime() / 1000) * 1000 + schedule.everySeconds * 1000);
  }
  const next = patternOnly(schedule).nextRun(after);
  if (next === null) throw new Error(`schedule "${schedule.expression}" never runs`);
  return next;
}

/**
 * The croner options every job uses. `legacyMode` (croner's default, set here so an upgrade cannot flip it) is
 * Vixie cron's rule: when both day fields are restricted, a day matching either one runs.
 */
export function cronerOptions(schedule: Schedule): { legacyMode: true; timezone?: string } {
  return schedule.timeZone === undefined ? { legacyMode: true } : { legacyMode: true, timezone: schedule.timeZone };
}

function patternOnly(schedule: Schedule): Cron {
  // Paused and without a function, croner sets no timer: this object only computes dates.
  return new Cron(schedule.expression, { ...cronerOptions(schedule), paused: true });
}

const DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for the values from `min` on (JAN = 1, SUN = 0), matched case-insensitively. */
  readonly names?: readonly string[];
  /** `?` stands for `*` (robfig/Quartz) in the day fields only: croner would read it as "the time of start". */
  readonly question?: boolean;
  /** Largest step croner takes: the number of distinct values. */
  readonly maxStep: number;
}

const SECOND: FieldSpec = { name: "second", min: 0, max: 59, maxStep: 60 };
const FIVE_FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59, maxStep: 60 },
  { name: "hour", min: 0, max: 23, maxStep: 24 },
  { name: "day-of-month", min: 1, max: 31, question: true, maxStep: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    maxStep: 12,
  },
  // 7 is Sunday too (Vixie cron), so `FRI-SUN` is a forward range.
  {
    name: "day-of-week",
    min: 0,
    max: 7,
    names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    question: true,
    maxStep: 7,
  },
];
const FIELD_NAMES = "minute hour day-of-month month day-of-week";

function parseWith(text: string, allowSeconds: boolean): ParsedSchedule {
  let rest = text.trim();
  if (rest === "") return problem("the schedule is empty.");

  let timeZone: string | undefined;
  const prefix = /^(CRON_TZ|TZ)=(\S*)(.*)$/s.exec(rest);
  if (prefix) {
    const [, variable = "", zone = "", after = ""] = prefix;
    if (zone === "") return problem(`${variable}= names no time zone.`);
    if (!isKnownTimeZone(zone)) return problem(`unknown time zone ${quote(zone)} in ${variable}=.`);
    timeZone = zone;
    rest = after.trim();
    if (rest === "") return problem(`nothing follows ${variable}=${zone}; a cron expression or descriptor is needed.`);
  }
  const withZone = (fields: Omit<Schedule, "timeZone">): Schedule =>
    timeZone === undefined ? fields : { ...fields, timeZone };

  if (rest.startsWith("@")) return parseDescriptor(rest, withZone);

  const fields = rest.split(/\s+/);
  let specs = FIVE_FIELDS;
  if (fields.length === 6 && allowSeconds) {
    specs = [SECOND, ...FIVE_FIELDS];
  } else if (fields.length === 6) {
    return problem(`the schedule has 6 fields; only 5 are supported (${FIELD_NAMES}), seconds are not.`);
  } else if (fields.length !== 5) {
    return problem(
      `the schedule has ${fields.length} field${fields.length === 1 ? "" : "s"}; 5 are needed (${FIELD_NAMES}).`,
    );
  }

  const written: string[] = [];
  for (const [index, field] of fields.entries()) {
    const spec = specs[index] as FieldSpec;
    const checked = checkField(field, spec);
    if (typeof checked !== "string") return checked;
    written.push(checked);
  }
  return checkedByCroner(withZone({ expression: written.join(" ") }));
}

function parseDescriptor(text: string, withZone: (fields: Omit<Schedule, "timeZone">) => Schedule): ParsedSchedule {
  const every = /^@every(?:\s+(.*))?$/is.exec(text);
  if (every) {
    const duration = (every[1] ?? "").trim();
    const seconds = durationSeconds(duration);
    if (seconds === undefined) {
      return problem(`@every needs a duration such as 90s, 5m or 1h30m, not ${quote(duration)}.`);
    }
    // robfig rounds a delay under a second up to one; a zero or sub-second delay is far more likely a typo.
    if (seconds < 1) return problem("@every needs a duration of at least 1s.");
    return withZone({ expression: `@every ${duration}`, everySeconds: seconds });
  }
  const expression = DESCRIPTORS[text.toLowerCase()];
  if (expression === undefined) {
    return problem(
      `unknown descriptor ${quote(text)}; use ${Object.keys(DESCRIPTORS).join(", ")} or @every <duration>.`,
    );
  }
  return checkedByCroner(withZone({ expression }));
}

/** Go's time.ParseDuration for the units a schedule needs (h, m, s, ms); whole seconds, rounded down as robfig. */
function durationSeconds(text: string): number | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:h|ms|m|s))+$/.test(text)) return undefined;
  const unitMs: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let totalMs = 0;
  for (const [, amount = "0", unit = "s"] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    totalMs += Number(amount) * (unitMs[unit] ?? 0);
  }
  return Number.isFinite(totalMs) ? Math.floor(totalMs / 1000) : undefined;
}

/** The field as croner should get it, or why it is wrong. */
function checkField(field: string, spec: FieldSpec): string | ScheduleProblem {
  const items = field.split(",");
  for (const item of items) {
    const wrong = checkItem(item, field, spec);
    if (wrong) return wrong;
  }
  return spec.question ? items.map((item) => item.replace(/^\?/, "*")).join(",") : field;
}

function checkItem(item: string, field: string, spec: FieldSpec): ScheduleProblem | undefined {
  if (item === "") return problem(`the ${spec.name} field ${quote(field)} has an empty list item.`);
  const parts = item.split("/");
  if (parts.length > 2) return problem(`the ${spec.name} field ${quote(field)} has more than one "/".`);
  const [base = "", step] = parts;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return problem(`the step ${quote(step)} in the ${spec.name} field is not a whole number.`);
    const every = Number(step);
    if (every < 1) return problem(`the step in the ${spec.name} field must be at least 1.`);
    if (every > spec.maxStep) {
      return problem(`the step ${every} in the ${spec.name} field is larger than its ${spec.maxStep} values.`);
    }
  }
  if (base === "*") return undefined;
  if (base === "?") {
    return spec.question ? undefined : problem(`"?" is only allowed in the day-of-month and day-of-week fields.`);
  }
  const bounds = base.split("-");
  if (bounds.length > 2) return problem(`the ${spec.name} field ${quote(field)} has a range with more than one "-".`);
  const [lowText = "", highText] = bounds;
  const low = fieldValue(lowText, field, spec, false);
  if (typeof low !== "number") return low;
  if (highText === undefined) return undefined;
  const high = fieldValue(highText, field, spec, true);
  if (typeof high !== "number") return high;
  if (low > high) return problem(`the range ${quote(base)} in the ${spec.name} field runs backwards.`);
  return undefined;
}

function fieldValue(token: string, field: string, spec: FieldSpec, rangeEnd: boolean): number | ScheduleProblem {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) {
      return problem(`${value} is out of range for the ${spec.name} field (${spec.min}-${spec.max}).`);
    }
    return value;
  }
  if (spec.names && /^[a-z]+$/i.test(token)) {
    const index = spec.names.indexOf(token.toUpperCase());
    if (index < 0) return problem(`${quote(token)} is not a ${spec.name} name (${spec.names.join(" ")}).`);
    // SUN closing a range is 7, so `FRI-SUN` means Friday to Sunday (croner reads it the same way).
    return rangeEnd && index === 0 && spec.name === "day-of-week" ? 7 : index + spec.min;
  }
  const allowed = spec.names ? "numbers, names" : "numbers";
  return problem(
    `the ${spec.name} field ${quote(field)} is not valid: use ${allowed}, ranges (a-b), lists (a,b) and steps (*/n).`,
  );
}

/** croner has the last word on the pattern, and a pattern that never matches (30 February) is refused. */
function checkedByCroner(schedule: Schedule): ParsedSchedule {
  let next: Date | null;
  try {
    next = patternOnly(schedule).nextRun(new Date());
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
    return problem(`the schedule is not valid: ${reason}`);
  }
  if (next === null) return problem("the schedule never runs (no date matches its day and month fields).");
  return schedule;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function problem(sentence: string): ScheduleProblem {
  return { problem: sentence.charAt(0).toUpperCase() + sentence.slice(1) };
}

/** Echoes user text in a problem, shortened: an annotation can be long. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
