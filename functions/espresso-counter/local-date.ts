/** Calendar days as `YYYY-MM-DD` strings: what counts are keyed by, and what the rollup and GET name. */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar day `instant` falls on in `timeZone`, e.g. 2024-03-09T23:30:00Z in Europe/Paris → "2024-03-10". */
export function localDate(instant: Date, timeZone: string): string {
  // formatToParts, not a locale's layout: "en-CA" gives YYYY-MM-DD today, but that is ICU data, not a contract.
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year").padStart(4, "0")}-${part("month")}-${part("day")}`;
}

/** The day before a `YYYY-MM-DD` day (calendar arithmetic, so no time zone or DST is involved). */
export function previousDate(date: string): string {
  return shiftDate(date, -1);
}

/** `date` moved by `days` calendar days. */
export function shiftDate(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return shifted.toISOString().slice(0, 10);
}
