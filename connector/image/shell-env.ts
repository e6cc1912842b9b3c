/**
 * A developer shell's environment: the test runner's, without vitest's or npm's own variables. The native build
 * starts from it (PATH finds node, npm and the compiler), so an `npm_config_*` of the `npm test` that started
 * vitest does not become the image build's npm configuration.
 */
export function shellEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !/^(VITEST|npm_|NODE_ENV$|TEST$|INIT_CWD$)/.test(name)),
  );
}
