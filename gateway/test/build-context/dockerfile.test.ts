// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are stack-file and Dockerfile text, where ${...} is literal
import { describe, expect, it } from "vitest";
import { findStage, type Instruction, parseDockerfile, stageEnv } from "../../src/build-context/dockerfile.js";

const SAMPLE = `# syntax=docker/dockerfile:1
# A comment line
ARG BASE=node:18-alpine

FROM --platform=\${TARGETPLATFORM:-linux/amd64} ghcr.io/openfaas/of-watchdog:0.10.9 AS watchdog
from node:18-alpine as Build
ENV A=1 B="two words" \\
    # a comment inside a continuation is dropped
    C='single $quoted'
ENV LEGACY value with spaces
WORKDIR /home/app
COPY --chown=app:app package*.json tsconfig.json ./
COPY ["with space.txt", "./"]
RUN npm install \\
    && npm run build
RUN ["node", "-e", "1"]
USER app:app
EXPOSE 8080 9000/udp
HEALTHCHECK --interval=3s --retries=2 CMD [ -e /tmp/.lock ] || exit 1
CMD ["fwatchdog"]
FROM build
CMD node x.js
`;

function instructions(text: string, stage = 0): readonly Instruction[] {
  return parseDockerfile(text).stages[stage]?.instructions ?? [];
}

describe("parseDockerfile", () => {
  const parsed = parseDockerfile(SAMPLE);

  it("splits stages at FROM, with names lower-cased and the platform kept", () => {
    expect(parsed.stages.map(({ name, image, platform, line }) => ({ name, image, platform, line }))).toEqual([
      {
        name: "watchdog",
        image: "ghcr.io/openfaas/of-watchdog:0.10.9",
        platform: "${TARGETPLATFORM:-linux/amd64}",
        line: 5,
      },
      { name: "build", image: "node:18-alpine", platform: undefined, line: 6 },
      { name: undefined, image: "build", platform: undefined, line: 21 },
    ]);
    expect(parsed.globalArgs).toMatchObject([{ kind: "ARG", args: [{ name: "BASE", value: "node:18-alpine" }] }]);
    expect(findStage(parsed, "BUILD")?.line).toBe(6);
  });

  it("parses every instruction of a stage in order, joining continuations", () => {
    const build = findStage(parsed, "build");
    expect(build?.instructions.map((instruction) => [instruction.kind, instruction.line])).toEqual([
      ["ENV", 7],
      ["ENV", 10],
      ["WORKDIR", 11],
      ["COPY", 12],
      ["COPY", 13],
      ["RUN", 14],
      ["RUN", 16],
      ["USER", 17],
      ["EXPOSE", 18],
      ["HEALTHCHECK", 19],
      ["CMD", 20],
    ]);
    const [env, legacy, workdir, copy, jsonCopy, run, execRun, user, expose, healthcheck, cmd] =
      build?.instructions ?? [];
    expect(env).toMatchObject({
      vars: [
        { name: "A", value: "1" },
        { name: "B", value: "two words" },
        { name: "C", value: "single $quoted" },
      ],
    });
    expect(legacy).toMatchObject({ vars: [{ name: "LEGACY", value: "value with spaces" }] });
    expect(workdir).toMatchObject({ path: "/home/app" });
    expect(copy).toMatchObject({
      flags: { chown: "app:app" },
      sources: ["package*.json", "tsconfig.json"],
      dest: "./",
    });
    expect(jsonCopy).toMatchObject({ sources: ["with space.txt"], dest: "./" });
    expect(run).toMatchObject({ command: { form: "shell", command: "npm install     && npm run build" } });
    expect(run?.text).toBe("RUN npm install && npm run build");
    expect(execRun).toMatchObject({ command: { form: "exec", args: ["node", "-e", "1"] } });
    expect(user).toMatchObject({ user: "app:app" });
    expect(expose).toMatchObject({ ports: ["8080", "9000/udp"] });
    expect(healthcheck).toMatchObject({
      flags: { interval: "3s", retries: "2" },
      command: { form: "shell", command: "[ -e /tmp/.lock ] || exit 1" },
    });
    expect(cmd).toMatchObject({ command: { form: "exec", args: ["fwatchdog"] } });
  });

  it("collects a stage's ENV with later values winning", () => {
    const [stage] = parseDockerfile("FROM a\nENV X=1 Y=2\nENV X=3\n").stages;
    expect(stage && stageEnv(stage)).toEqual({ X: "3", Y: "2" });
  });

  it("reads COPY --from", () => {
    expect(instructions("FROM a\nCOPY --from=build --chown=app:app /home/app/dist ./dist\n")[0]).toMatchObject({
      kind: "COPY",
      flags: { from: "build", chown: "app:app" },
      sources: ["/home/app/dist"],
      dest: "./dist",
    });
  });

  it("reads HEALTHCHECK NONE and shell-form CMD", () => {
    const [healthcheck, cmd] = instructions("FROM a\nHEALTHCHECK NONE\nCMD node index.js\n");
    expect(healthcheck).toMatchObject({ command: "NONE" });
    expect(cmd).toMatchObject({ command: { form: "shell", command: "node index.js" } });
  });

  const errors: [name: string, text: string, message: RegExp][] = [
    [
      "an unknown instruction, with its line",
      "FROM a\n\nADD x y\n",
      /Dockerfile:3: ADD x y: unsupported instruction ADD/,
    ],
    ["an instruction before FROM", "ENV A=1\nFROM a\n", /Dockerfile:1: .*before the first FROM/],
    ["no FROM at all", "# nothing\n", /no FROM instruction/],
    ["variable expansion in ENV", "FROM a\nENV PATH=$PATH:/x\n", /Dockerfile:2: .*\$ variable expansion/],
    ["an unterminated quote", 'FROM a\nENV A="x\n', /unterminated " quote/],
    ["an unknown COPY flag", "FROM a\nCOPY --exclude=x a b\n", /COPY does not support --exclude/],
    ["a COPY without destination", "FROM a\nCOPY a\n", /at least one source and a destination/],
    ["ENV without a value", "FROM a\nENV A\n", /ENV expects name=value/],
    ["a bad FROM", "FROM a AS\n", /expected FROM image \[AS name\]/],
    ["another escape character", "# escape=`\nFROM a\n", /escape directive "`" is not supported/],
  ];
  for (const [name, text, message] of errors) {
    it(`refuses ${name}`, () => expect(() => parseDockerfile(text)).toThrow(message));
  }
});
