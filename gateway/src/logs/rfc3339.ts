const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 time as Go's `time.Parse(time.RFC3339, ...)` accepts it (faas-cli sends `--since` that way,
 * often with a zone offset). JavaScript dates hold milliseconds, so a finer fraction is rounded UP: the result is
 * the earliest whole millisecond at or after the time given, which keeps "at or after" filters exact for entries
 * stamped in whole milliseconds. Returns undefined for anything else, including impossible dates (Feb 30).
 */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = "", zulu, sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const wholeMs = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(wholeMs).getUTCDate() !== d) return undefined;
  let offsetMs = 0;
  if (zulu === undefined) {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return undefined;
    offsetMs = (sign === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const millis = Number(fraction.slice(0, 3).padEnd(3, "0"));
  const finer = /[1-9]/.test(fraction.slice(3)) ? 1 : 0;
  return new Date(wholeMs - offsetMs + millis + finer);
}
