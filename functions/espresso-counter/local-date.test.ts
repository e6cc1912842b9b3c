import { describe, expect, it } from "vitest";
import { localDate, previousDate, shiftDate } from "./local-date.js";

describe("localDate", () => {
  it.each([
    // Paris is UTC+1 in winter: 23:30 local is 22:30Z, 00:30 local is 23:30Z the day before.
    ["2024-01-15T22:30:00Z", "Europe/Paris", "2024-01-15"],
    ["2024-01-15T23:30:00Z", "Europe/Paris", "2024-01-16"],
    // New York is UTC-4 in summer: 23:30 local is 03:30Z the next UTC day.
    ["2024-07-02T03:30:00Z", "America/New_York", "2024-07-01"],
    ["2024-07-02T04:30:00Z", "America/New_York", "2024-07-02"],
    // The spring-forward night (02:00 → 03:00 local) still has one calendar day.
    ["2024-03-31T00:59:59Z", "Europe/Paris", "2024-03-31"],
    ["2024-03-30T22:59:59Z", "Europe/Paris", "2024-03-30"],
    ["2024-03-30T23:00:00Z", "Europe/Paris", "2024-03-31"],
    ["2024-01-15T23:30:00Z", "UTC", "2024-01-15"],
    ["2024-12-31T23:59:59.999Z", "Asia/Kolkata", "2025-01-01"],
  ])("%s in %s is %s", (instant, zone, expected) => {
    expect(localDate(new Date(instant), zone)).toBe(expected);
  });
});

describe("previousDate and shiftDate", () => {
  it.each([
    ["2024-03-01", "2024-02-29"],
    ["2023-03-01", "2023-02-28"],
    ["2025-01-01", "2024-12-31"],
    ["2024-03-31", "2024-03-30"],
  ])("the day before %s is %s", (day, expected) => {
    expect(previousDate(day)).toBe(expected);
  });

  it("moves by any number of days across months", () => {
    expect(shiftDate("2024-01-30", 3)).toBe("2024-02-02");
    expect(shiftDate("2024-01-03", -7)).toBe("2023-12-27");
  });
});
