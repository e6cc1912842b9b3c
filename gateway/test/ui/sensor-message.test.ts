import { describe, expect, it } from "vitest";
import { parseSensorMessage } from "../../src/ui/sensor-message.js";

const NOW = Date.parse("2026-12-03T08:00:00Z");
const FRIDGE = "store/store001/fridge/f1/temp";
const MACHINE = "store/store001/espresso/m1/shot";

describe("parseSensorMessage reads what the sensors publish as the functions read it", () => {
  const cases: Array<[string, string, string, unknown]> = [
    [
      "°C object",
      FRIDGE,
      '{"temp":4.26,"unit":"C"}',
      { type: "reading", store: "store001", fridge: "f1", tempC: 4.3, ts: NOW },
    ],
    ["°F converted and rounded", FRIDGE, '{"temp":97.4,"unit":"F"}', { tempC: 36.3 }],
    ["bare number in °C", FRIDGE, "3.5", { tempC: 3.5 }],
    ["the payload's time", FRIDGE, '{"temp":4,"ts":"2026-12-03T07:00:00Z"}', { ts: NOW - 3600_000 }],
    ["a time far ahead is replaced by now", FRIDGE, '{"temp":4,"ts":"2027-01-01T00:00:00Z"}', { ts: NOW }],
    ["shots object", MACHINE, '{"id":"a","shots":2}', { type: "shot", store: "store001", machine: "m1", shots: 2 }],
    ["bare integer of shots", MACHINE, "1", { shots: 1 }],
  ];
  it.each(cases)("%s", (_name, topic, payload, expected) => {
    expect(parseSensorMessage(topic, Buffer.from(payload), NOW)).toMatchObject(expected as object);
  });

  const refused: Array<[string, string, string]> = [
    ["another topic", "store/store001/door/d1/open", "1"],
    ["an extra level", "store/store001/fridge/f1/temp/x", "4"],
    ["an id the functions refuse", "store/-bad/fridge/f1/temp", "4"],
    ["not JSON", FRIDGE, "warm"],
    ["an unknown unit", FRIDGE, '{"temp":4,"unit":"K"}'],
    ["implausibly hot", FRIDGE, "61"],
    ["implausibly cold", FRIDGE, '{"temp":-80,"unit":"F"}'],
    ["a string temperature", FRIDGE, '{"temp":"4"}'],
    ["null", FRIDGE, "null"],
    ["zero shots", MACHINE, "0"],
    ["too many shots", MACHINE, '{"id":"a","shots":21}'],
    ["fractional shots", MACHINE, "1.5"],
    ["a huge payload", FRIDGE, `{"temp":4,"pad":"${"x".repeat(5000)}"}`],
  ];
  it.each(refused)("refuses %s", (_name, topic, payload) => {
    expect(parseSensorMessage(topic, Buffer.from(payload), NOW)).toBeUndefined();
  });
});
