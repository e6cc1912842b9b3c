import { describe, expect, it } from "vitest";
import { type AclSubject, canPublish, canSubscribe } from "../../src/users/acl.js";
import type { BrokerUser } from "../../src/users/broker-user.js";

const sensor: BrokerUser = { username: "fridge-1", role: "sensor", store: "store042" };
const connector: BrokerUser = { username: "connector", role: "connector" };
const dashboard: BrokerUser = { username: "dashboard", role: "dashboard" };
const bridge: BrokerUser = { username: "bridge", role: "bridge" };
const subjects: Record<string, AclSubject> = { sensor, connector, dashboard, bridge, anonymous: "anonymous" };

type Row = readonly [
  topic: string,
  sensor: boolean,
  connector: boolean,
  dashboard: boolean,
  bridge: boolean,
  anon: boolean,
];

// One row per topic: whether each subject may publish it.
// biome-ignore format: a table reads better aligned
const PUBLISH: readonly Row[] = [
  //  topic                                    sensor connector dashboard bridge anonymous
  ["store/store042/fridge/f1/temp",            true,  true,  false, false, true],
  ["store/store042/espresso/m1/shot",          true,  true,  false, false, true],
  ["store/store042/x",                         true,  true,  false, false, true],
  ["store/store042/",                          true,  true,  false, false, true], // an empty level below the store
  ["store/store042//temp",                     true,  true,  false, false, true],
  ["store/store042",                           false, true,  false, false, true], // the store level itself
  ["store/store042/cmd",                       false, true,  false, false, true], // cmd/# subscribers get this
  ["store/store042/cmd/",                      false, true,  false, true,  true], // an empty level is a level
  ["store/store042/cmd/fridge/f1/setpoint",    false, true,  false, true,  true], // commands go to sensors only
  ["store/store042/cmdx/a",                    true,  true,  false, false, true], // "cmdx" is not "cmd"
  ["store/store042/fridge/cmd",                true,  true,  false, false, true], // cmd deeper down is data
  ["store/store0421/fridge/f1/temp",           false, true,  false, false, true], // prefix confusion
  ["store/store04/fridge/f1/temp",             false, true,  false, false, true],
  ["store/store043/fridge/f1/temp",            false, true,  false, false, true], // another store
  ["store/store043/cmd/fridge/f1",             false, true,  false, true,  true],
  ["store//cmd/x",                             false, true,  false, false, true], // bridge: no store id
  ["store/Store042/cmd/x",                     false, true,  false, false, true], // bridge: not a valid store id
  ["/store/store042/x",                        false, true,  false, false, true], // a leading empty level
  ["Store/store042/x",                         false, true,  false, false, true],
  ["stores/store042/x",                        false, true,  false, false, true],
  ["store",                                    false, true,  false, false, true],
  ["dead-letter/store042",                     false, true,  false, false, true],
  ["$SYS/broker/uptime",                       false, false, false, false, false], // $ topics are the broker's
  ["$SYS",                                     false, false, false, false, false],
  ["$share/g/store/store042/x",                false, false, false, false, false],
  ["$store/store042/x",                        false, false, false, false, false],
  ["store/store042/+",                         false, false, false, false, false], // wildcards never publish
  ["store/store042/#",                         false, false, false, false, false],
  ["store/store042/a+b",                       false, false, false, false, false],
  ["store/+/cmd/x",                            false, false, false, false, false],
  ["#",                                        false, false, false, false, false],
  ["",                                         false, false, false, false, false], // empty topic
  ["store/store042/with\u0000nul",             false, false, false, false, false],
];

// One row per filter: whether each subject may subscribe to it.
// biome-ignore format: a table reads better aligned
const SUBSCRIBE: readonly Row[] = [
  //  filter                                   sensor connector dashboard bridge anonymous
  ["store/store042/cmd/#",                     true,  true,  true,  true,  true],
  ["store/store042/cmd",                       true,  true,  true,  true,  true], // cmd/# matches cmd itself
  ["store/store042/cmd/+",                     true,  true,  true,  true,  true],
  ["store/store042/cmd/fridge/+/setpoint",     true,  true,  true,  true,  true],
  ["store/store042/cmd/fridge/f1/setpoint",    true,  true,  true,  true,  true],
  ["store/store042/cmd/",                      true,  true,  true,  true,  true],
  ["$share/g/store/store042/cmd/#",            true,  true,  true,  true,  true], // judged after the prefix
  ["$share/sensors/store/store042/cmd/+",      true,  true,  true,  true,  true],
  ["store/store042/#",                         false, true,  true,  true,  true], // widens beyond cmd
  ["store/store042/+/#",                       false, true,  true,  true,  true],
  ["store/store042/+",                         false, true,  true,  true,  true],
  ["store/store042/fridge/f1/temp",            false, true,  true,  true,  true],
  ["store/store042",                           false, true,  true,  true,  true],
  ["store/+/cmd/#",                            false, true,  true,  true,  true], // every store's commands
  ["store/#",                                  false, true,  true,  true,  true],
  ["store",                                    false, true,  true,  true,  true],
  ["store/store043/cmd/#",                     false, true,  true,  true,  true],
  ["store/store0421/cmd/#",                    false, true,  true,  true,  true], // prefix confusion
  ["store/store042cmd/#",                      false, true,  true,  true,  true],
  ["$share/g/store/store043/cmd/#",            false, true,  true,  true,  true],
  ["$share/g/store/+/cmd/#",                   false, true,  true,  true,  true],
  ["+/store042/cmd/#",                         false, false, true,  false, true],
  ["+/#",                                      false, false, true,  false, true],
  ["#",                                        false, false, true,  false, true],
  ["+",                                        false, false, true,  false, true],
  ["/store/store042/cmd/#",                    false, false, true,  false, true],
  ["dead-letter/#",                            false, false, true,  false, true],
  ["$SYS/#",                                   false, false, true,  false, true],
  ["$SYS/broker/clients/connected",            false, false, true,  false, true],
  ["$share/g/$SYS/#",                          false, false, true,  false, true],
  ["$share/g/#",                               false, false, true,  false, true],
  // malformed filters, refused for everyone
  ["",                                         false, false, false, false, false],
  ["store/store042/cmd/#/x",                   false, false, false, false, false], // # not last
  ["store/store042/cmd/a#",                    false, false, false, false, false], // # not a whole level
  ["store/store042/cmd/a+",                    false, false, false, false, false], // + not a whole level
  ["store/store042/cmd/##",                    false, false, false, false, false],
  ["store/store042/cmd/with\u0000nul",         false, false, false, false, false],
  ["$share/g",                                 false, false, false, false, false], // no filter after the group
  ["$share/g/",                                false, false, false, false, false],
  ["$share//store/store042/cmd/#",             false, false, false, false, false], // empty group
  ["$share/+/store/store042/cmd/#",            false, false, false, false, false], // wildcard group
  ["$share/g/store/store042/cmd/#/x",          false, false, false, false, false],
];

const COLUMNS = ["sensor", "connector", "dashboard", "bridge", "anonymous"] as const;

function cases(table: readonly Row[]) {
  return table.flatMap(([topic, ...expected]) =>
    COLUMNS.map((column, index) => ({ who: column, topic, allowed: expected[index] as boolean })),
  );
}

describe("canPublish", () => {
  it.each(cases(PUBLISH))("$who publishing to $topic: $allowed", ({ who, topic, allowed }) => {
    expect(canPublish(subjects[who] as AclSubject, topic)).toBe(allowed);
  });

  it("binds a sensor to its own store, whichever store that is", () => {
    const other: BrokerUser = { username: "fridge-9", role: "sensor", store: "store043" };
    expect(canPublish(other, "store/store043/fridge/f9/temp")).toBe(true);
    expect(canPublish(other, "store/store042/fridge/f1/temp")).toBe(false);
    expect(canSubscribe(other, "store/store043/cmd/#")).toBe(true);
    expect(canSubscribe(other, "store/store042/cmd/#")).toBe(false);
  });

  it("refuses a topic longer than MQTT allows (65535 bytes)", () => {
    const long = `store/store042/${"a".repeat(65_535)}`;
    expect(canPublish(sensor, long)).toBe(false);
    expect(canPublish(connector, long)).toBe(false);
    expect(canPublish(sensor, `store/store042/${"a".repeat(1000)}`)).toBe(true);
  });
});

describe("canSubscribe", () => {
  it.each(cases(SUBSCRIBE))("$who subscribing to $topic: $allowed", ({ who, topic, allowed }) => {
    expect(canSubscribe(subjects[who] as AclSubject, topic)).toBe(allowed);
  });
});
