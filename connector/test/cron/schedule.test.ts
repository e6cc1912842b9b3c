import { describe, expect, it } from "vitest";
import {
  isScheduleProblem,
  nextRun,
  type ParsedSchedule,
  parseSchedule,
  parseScheduleAllowingSeconds,
  type Schedule,
} from "../../src/cron/schedule.js";

/** A wall-clock time in the process's zone: schedules without CRON_TZ run in local time (UTC in the image). */
function local(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(year, month - 1, day, hour, minute);
}

function parsed(text: string): Schedule {
  const result = parseSchedule(text);
  if (isScheduleProblem(result)) throw new Error(`expected ${JSON.stringify(text)} to parse: ${result.problem}`);
  return result;
}

function runsAfter(schedule: Schedule, after: Date, count: number): string[] {
  const runs: string[] = [];
  let from = after;
  for (let i = 0; i < count; i++) {
    from = nextRun(schedule, from);
    runs.push(from.toISOString());
  }
  return runs;
}

const iso = (...dates: Date[]) => dates.map((date) => date.toISOString());

describe("five-field schedules (Vixie cron semantics)", () => {
  // 2024-01-15 is a Monday; no daylight-saving change falls in any window below in any common zone.
  const monday = local(2024, 1, 15, 10, 30);
  const cases: ReadonlyArray<[string, Date, Date[]]> = [
    ["*/15 * * * *", monday, [local(2024, 1, 15, 10, 45), local(2024, 1, 15, 11, 0), local(2024, 1, 15, 11, 15)]],
    ["5,35 * * * *", monday, [local(2024, 1, 15, 10, 35), local(2024, 1, 15, 11, 5), local(2024, 1, 15, 11, 35)]],
    ["7/20 * * * *", monday, [local(2024, 1, 15, 10, 47), local(2024, 1, 15, 11, 7), local(2024, 1, 15, 11, 27)]],
    ["0 9-17/4 * * *", monday, [local(2024, 1, 15, 13), local(2024, 1, 15, 17), local(2024, 1, 16, 9)]],
    ["  0   6 * * *  ", monday, [local(2024, 1, 16, 6), local(2024, 1, 17, 6)]],
    ["0 9 * * MON-FRI", local(2024, 1, 19, 10), [local(2024, 1, 22, 9), local(2024, 1, 23, 9)]],
    ["0 9 * * mon,wed", monday, [local(2024, 1, 17, 9), local(2024, 1, 22, 9)]],
    ["0 0 * * FRI-SUN", monday, [local(2024, 1, 19), local(2024, 1, 20), local(2024, 1, 21), local(2024, 1, 26)]],
    ["0 12 * * 7", monday, [local(2024, 1, 21, 12), local(2024, 1, 28, 12)]],
    ["0 0 1 JAN,jul *", monday, [local(2024, 7, 1), local(2025, 1, 1)]],
    ["0 0 1 */6 *", monday, [local(2024, 7, 1), local(2025, 1, 1)]],
    ["0 0 ? * MON", monday, [local(2024, 1, 22), local(2024, 1, 29)]],
    // Only day-of-month restricted: the 13th, whatever weekday.
    ["0 0 13 * *", local(2024, 10, 1), [local(2024, 10, 13), local(2024, 11, 13)]],
    // Both day fields restricted: a day matching EITHER runs (Fridays and the 13th, a Sunday in October 2024).
    [
      "0 0 13 * FRI",
      local(2024, 10, 1),
      [local(2024, 10, 4), local(2024, 10, 11), local(2024, 10, 13), local(2024, 10, 18)],
    ],
    ["0 0 29 2 *", local(2025, 3, 1), [local(2028, 2, 29), local(2032, 2, 29)]],
  ];

  it.each(cases)("%j runs at the expected local times", (text, after, expected) => {
    expect(runsAfter(parsed(text), after, expected.length)).toEqual(iso(...expected));
  });

  it("keeps the fields croner runs, with ? written as * and no zone", () => {
    expect(parseSchedule("0 0 ? * MON")).toEqual({ expression: "0 0 * * MON" });
    expect(parseSchedule("  */5  *  * * *")).toEqual({ expression: "*/5 * * * *" });
  });
});

describe("descriptors", () => {
  const monday = local(2024, 1, 15, 10, 30);
  const cases: ReadonlyArray<[string, string, Date]> = [
    ["@yearly", "0 0 1 1 *", local(2025, 1, 1)],
    ["@annually", "0 0 1 1 *", local(2025, 1, 1)],
    ["@monthly", "0 0 1 * *", local(2024, 2, 1)],
    ["@weekly", "0 0 * * 0", local(2024, 1, 21)],
    ["@daily", "0 0 * * *", local(2024, 1, 16)],
    ["@midnight", "0 0 * * *", local(2024, 1, 16)],
    ["@hourly", "0 * * * *", local(2024, 1, 15, 11)],
    ["@DAILY", "0 0 * * *", local(2024, 1, 16)],
  ];

  it.each(cases)("%s is %j", (text, expression, next) => {
    const schedule = parsed(text);
    expect(schedule).toEqual({ expression });
    expect(nextRun(schedule, monday).toISOString()).toBe(next.toISOString());
  });

  // robfig/cron (OpenFaaS's parser) takes `@every <Go duration>`; so do we, so a stack.yml that works there
  // works here. The delay counts from the previous run, sub-seconds dropped.
  const every: ReadonlyArray<[string, number]> = [
    ["@every 5m", 300],
    ["@every 90s", 90],
    ["@every 1h30m", 5400],
    ["@every 1.5h", 5400],
    ["@every 2500ms", 2],
    ["@every 1s", 1],
  ];

  it.each(every)("%s runs every %i seconds", (text, seconds) => {
    const schedule = parsed(text);
    expect(schedule).toEqual({ expression: text, everySeconds: seconds });
    const after = new Date("2024-01-15T10:30:00.750Z");
    expect(nextRun(schedule, after).toISOString()).toBe(new Date(Date.UTC(2024, 0, 15, 10, 30, seconds)).toISOString());
  });
});

describe("CRON_TZ= and TZ= prefixes", () => {
  const cases: ReadonlyArray<[string, string, string[]]> = [
    // New York is UTC-5 in January (EST) and UTC-4 in July (EDT).
    ["CRON_TZ=America/New_York 0 6 * * *", "2024-01-15T12:00:00Z", ["2024-01-16T11:00:00.000Z"]],
    ["CRON_TZ=America/New_York 0 6 * * *", "2024-07-15T12:00:00Z", ["2024-07-16T10:00:00.000Z"]],
    // Across the change: 9 March is EST, 10 March EDT.
    [
      "CRON_TZ=America/New_York 0 6 * * *",
      "2024-03-09T00:00:00Z",
      ["2024-03-09T11:00:00.000Z", "2024-03-10T10:00:00.000Z"],
    ],
    // 01:30 happens twice when clocks go back on 3 November 2024: it runs once.
    [
      "CRON_TZ=America/New_York 30 1 * * *",
      "2024-11-02T12:00:00Z",
      ["2024-11-03T05:30:00.000Z", "2024-11-04T06:30:00.000Z"],
    ],
    ["TZ=Asia/Kolkata 30 9 * * *", "2024-01-15T00:00:00Z", ["2024-01-15T04:00:00.000Z"]],
    ["CRON_TZ=Europe/Berlin @daily", "2024-01-15T12:00:00Z", ["2024-01-15T23:00:00.000Z"]],
    ["CRON_TZ=Europe/Berlin @daily", "2024-07-15T12:00:00Z", ["2024-07-15T22:00:00.000Z"]],
    ["CRON_TZ=UTC 0 0 * * MON", "2024-01-15T00:00:00Z", ["2024-01-22T00:00:00.000Z"]],
  ];

  it.each(cases)("%j after %s", (text, after, expected) => {
    expect(runsAfter(parsed(text), new Date(after), expected.length)).toEqual(expected);
  });

  it("returns the zone apart from the expression", () => {
    expect(parseSchedule("CRON_TZ=America/New_York 0 6 * * *")).toEqual({
      expression: "0 6 * * *",
      timeZone: "America/New_York",
    });
    expect(parseSchedule("TZ=Asia/Tokyo @hourly")).toEqual({ expression: "0 * * * *", timeZone: "Asia/Tokyo" });
  });
});

describe("refused schedules", () => {
  const cases: ReadonlyArray<[string, RegExp]> = [
    ["* * * * * *", /6 fields; only 5 are supported .*seconds are not/],
    ["0 0 12 * * MON", /6 fields/],
    ["0 0 0 * * * 2024", /7 fields; 5 are needed \(minute hour day-of-month month day-of-week\)/],
    ["", /empty/],
    ["   ", /empty/],
    ["hello", /1 field;/],
    ["every day at noon please", /minute field "every" is not valid/],
    ["61 * * * *", /61 is out of range for the minute field \(0-59\)/],
    ["* 24 * * *", /24 is out of range for the hour field \(0-23\)/],
    ["* * 0 * *", /0 is out of range for the day-of-month field \(1-31\)/],
    ["* * 32 * *", /32 is out of range for the day-of-month field/],
    ["* * * 13 *", /13 is out of range for the month field \(1-12\)/],
    ["* * * 0 *", /0 is out of range for the month field/],
    ["* * * * 8", /8 is out of range for the day-of-week field \(0-7\)/],
    ["0-70 * * * *", /70 is out of range for the minute field/],
    ["*/0 * * * *", /step in the minute field must be at least 1/],
    ["*/61 * * * *", /step 61 in the minute field is larger than its 60 values/],
    ["*/x * * * *", /step "x" in the minute field is not a whole number/],
    ["5-2 * * * *", /range "5-2" in the minute field runs backwards/],
    ["1,,2 * * * *", /minute field "1,,2" has an empty list item/],
    ["1-2-3 * * * *", /more than one "-"/],
    ["*/2/3 * * * *", /more than one "\/"/],
    ["-5 * * * *", /minute field "-5" is not valid/],
    ["* * * FOO *", /"FOO" is not a month name/],
    ["* * * * FUNDAY", /"FUNDAY" is not a day-of-week name/],
    ["0 MON * * *", /hour field "MON" is not valid: use numbers,/],
    // croner's own extensions are not cron: refused so a schedule means the same here and on OpenFaaS.
    ["0 0 L * *", /day-of-month field "L" is not valid/],
    ["0 0 * * 5#2", /day-of-week field "5#2" is not valid/],
    ["? * * * *", /"\?" is only allowed in the day-of-month and day-of-week fields/],
    ["0 0 30 2 *", /never runs/],
    ["0 0 31 4 *", /never runs/],
    ["CRON_TZ=Mars/Olympus_Mons 0 * * * *", /unknown time zone "Mars\/Olympus_Mons" in CRON_TZ=/],
    ["TZ=Nowhere @daily", /unknown time zone "Nowhere" in TZ=/],
    ["CRON_TZ= 0 * * * *", /CRON_TZ= names no time zone/],
    ["TZ=UTC", /nothing follows TZ=UTC/],
    ["CRON_TZ=UTC    ", /nothing follows CRON_TZ=UTC/],
    ["@reboot", /unknown descriptor "@reboot"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly/],
    ["@daily 5", /unknown descriptor/],
    ["@every", /@every needs a duration such as 90s, 5m or 1h30m, not ""/],
    ["@every 5x", /not "5x"/],
    ["@every -5m", /not "-5m"/],
    ["@every 500ms", /at least 1s/],
    ["@every 0s", /at least 1s/],
  ];

  it.each(cases)("%j is refused", (text, why) => {
    const result: ParsedSchedule = parseSchedule(text);
    // Problems start with a capital letter; the patterns are written mid-sentence.
    expect(isScheduleProblem(result) ? result.problem : "parsed").toMatch(new RegExp(why.source, "i"));
  });

  it("states each problem as a sentence", () => {
    for (const [text] of cases) {
      const result = parseSchedule(text);
      if (!isScheduleProblem(result)) throw new Error(`${text} parsed`);
      expect(result.problem).toMatch(/^[A-Z0-9"?@-].*\S$/);
    }
  });

  it("shortens a long echoed value", () => {
    const result = parseSchedule(`CRON_TZ=${"A".repeat(200)} 0 * * * *`);
    expect(isScheduleProblem(result) && result.problem.length).toBeLessThan(100);
  });
});

describe("seconds, for tests only", () => {
  it("the test parser takes six fields; the public one does not", () => {
    expect(parseScheduleAllowingSeconds("*/2 * * * * *")).toEqual({ expression: "*/2 * * * * *" });
    expect(isScheduleProblem(parseSchedule("*/2 * * * * *"))).toBe(true);
    const result = parseScheduleAllowingSeconds("60 * * * * *");
    expect(isScheduleProblem(result) && result.problem).toMatch(/60 is out of range for the second field/);
  });

  it("nextRun refuses a schedule that never runs", () => {
    expect(() => nextRun({ expression: "0 0 30 2 *" }, new Date("2024-01-01T00:00:00Z"))).toThrow(/never runs/);
  });
});
