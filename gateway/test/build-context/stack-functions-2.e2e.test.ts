import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  BUILD_TIMEOUT_MS,
  buildAndStart,
  expectEcho,
  postHello,
  SAMPLE_HANDLER,
  stack,
  useBuiltCli,
} from "./e2e-support.js";
import { REPO_ROOT } from "./helpers.js";

// Half of stack.yml's functions (the other half is in stack-functions-1.e2e.test.ts): each built from its
// faas-cli build context with the image's toolchain, its own tests run there under Node 18, then started.

useBuiltCli();

describe("npm run build:context, end to end: stack.yml functions, part 2 of 2", () => {
  for (const fn of stack.functions.filter((_fn, index) => index % 2 === 1)) {
    it(
      `builds ${fn.name} from stack.yml, which then answers a real HTTP request`,
      async () => {
        const started = await buildAndStart(fn.name, [fn.name]);
        if (path.resolve(REPO_ROOT, fn.handler) === SAMPLE_HANDLER) {
          await expectEcho(started);
        } else {
          // Other functions validate their input: any answer below 500 shows the shell and handler are up.
          expect((await postHello(started)).status).toBeLessThan(500);
        }
      },
      BUILD_TIMEOUT_MS,
    );
  }
});
