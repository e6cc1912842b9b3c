import { defineConfig } from "vitest/config";

// The build context runs `vitest run --dir .` here, without the repository's config: the same bounds.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    passWithNoTests: false,
    allowOnly: false,
  },
});
