import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "build/**", ".coffee-edge/**"],
    // Network tests bind 127.0.0.1:0 and tear down; bound every test in time.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Fail the run rather than pass vacuously when a filter or a typo finds nothing.
    passWithNoTests: false,
    allowOnly: false,
    // vitest's default is one worker less than the cores: one worker on a 2-core CI machine. The build-context
    // files spend minutes in npm and node-gyp, so two workers let them overlap.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
