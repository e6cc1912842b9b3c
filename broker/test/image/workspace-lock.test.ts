import { expect, it } from "vitest";
import {
  describeImageWorkspaceLock,
  installed,
  type Lock,
  readJson,
} from "../../../connector/test/image/describe-workspace-lock.js";

describeImageWorkspaceLock("broker");

it("locks the broker's own dependencies, down to LevelDB's addon, not only the template's", async () => {
  const locked = installed(await readJson<Lock>("broker/image/workspace/package-lock.json"));
  expect([...locked].filter((entry) => /^(aedes|classic-level)@/.test(entry))).toHaveLength(2);
});
