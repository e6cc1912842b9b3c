/** One hostile or broken request body, with a label that says what is wrong with it. */
export interface BadBody {
  readonly label: string;
  readonly body: Buffer;
  readonly contentType: string;
}

export interface BadBodyOptions {
  /** At least this many bodies (default 500): truncations of the valid text fill up to the count. */
  readonly count?: number;
  /**
   * The function's own schema check. Generated JSON the check accepts is dropped: replacing a string by
   * another string may well be valid, and a valid body is not bad input.
   */
  readonly accepts?: (value: unknown) => boolean;
}

const WRONG_VALUES: ReadonlyArray<[string, string]> = [
  ["null", "null"],
  ["true", "true"],
  ["an empty object", "{}"],
  ["an empty array", "[]"],
  ["a string", '"x"'],
  ["an empty string", '""'],
  ["a negative number", "-1"],
  ["a fraction", "0.5"],
  ["zero", "0"],
  ["a huge number", `1${"0".repeat(400)}`],
  ["an overflowing exponent", "1e309"],
  ["a number past 2^53", "9007199254740993"],
  ["a 100 kB string", JSON.stringify("x".repeat(100_000))],
  ["10 000 nested arrays", `${"[".repeat(10_000)}${"]".repeat(10_000)}`],
  ["1 000 nested objects", `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`],
  ["a __proto__ object", '{"__proto__":{"polluted":true}}'],
  ["a constructor.prototype object", '{"constructor":{"prototype":{"polluted":true}}}'],
];

/**
 * Generates bodies a JSON endpoint must refuse with a 4xx problem and survive: every leaf of `valid`
 * replaced by values of the wrong type and size, required-looking members removed, unknown and
 * `__proto__` members added at every level, malformed JSON (every truncation of the valid text),
 * invalid UTF-8, non-JSON scalars and the empty body. Deterministic, so a failure names its body.
 */
export function badJsonBodies(valid: Record<string, unknown>, options: BadBodyOptions = {}): BadBody[] {
  const count = options.count ?? 500;
  const accepts = options.accepts;
  const bodies: BadBody[] = [];
  const addJson = (label: string, text: string) => {
    if (accepts && parsesTo(text, accepts)) return;
    bodies.push({ label, body: Buffer.from(text, "utf8"), contentType: "application/json" });
  };

  for (const [label, text] of [
    ["the empty body", ""],
    ["whitespace", "  \n "],
    ["null", "null"],
    ["an array", "[]"],
    ["a string", '"order"'],
    ["a number", "42"],
    ["NaN", "NaN"],
    ["undefined", "undefined"],
    ["single quotes", "{'a': 1}"],
    ["a trailing comma", '{"a": 1,}'],
    ["a comment", '{"a": 1 /* c */}'],
    ["two documents", `${JSON.stringify(valid)} ${JSON.stringify(valid)}`],
    ["a byte-order mark", `\uFEFF${JSON.stringify(valid)}`],
  ] as const) {
    addJson(label, text);
  }

  for (const path of leafPaths(valid)) {
    const at = path.join(".");
    for (const [what, replacement] of WRONG_VALUES) addJson(`${at} is ${what}`, replaceAt(valid, path, replacement));
    addJson(`${at} is missing`, JSON.stringify(removeAt(valid, path)));
  }
  for (const path of objectPaths(valid)) {
    const at = path.length ? path.join(".") : "the body";
    addJson(`${at} has an unknown member`, insertMember(valid, path, '"unexpectedMember":1'));
    addJson(`${at} has a __proto__ member`, insertMember(valid, path, '"__proto__":{"polluted":true}'));
    addJson(`${at} has a duplicate-looking member`, insertMember(valid, path, '"":0'));
  }

  const text = JSON.stringify(valid);
  const firstString = text.indexOf('":"');
  if (firstString >= 0) {
    for (const [label, bytes] of [
      ["a lone 0xFF byte", [0xff]],
      ["a truncated 2-byte sequence", [0xc3]],
      ["an overlong encoding", [0xc0, 0xaf]],
      ["a UTF-16 surrogate in UTF-8", [0xed, 0xa0, 0x80]],
    ] as const) {
      const head = Buffer.from(text.slice(0, firstString + 3), "utf8");
      const tail = Buffer.from(text.slice(firstString + 3), "utf8");
      bodies.push({
        label: `invalid UTF-8: ${label}`,
        body: Buffer.concat([head, Buffer.from(bytes), tail]),
        contentType: "application/json",
      });
    }
  }

  // Fill up to the count, round after round: every proper prefix of the valid text laid out another
  // way (no proper prefix of an object's text is JSON), and unknown members under new names.
  for (let round = 0; bodies.length < count && round < 64; round++) {
    const source = round === 0 ? text : JSON.stringify(valid, null, round);
    for (let length = 1; length < source.length && bodies.length < count; length++) {
      addJson(
        `the valid body${round ? ` indented by ${round}` : ""} cut after ${length} characters`,
        source.slice(0, length),
      );
    }
    for (const path of objectPaths(valid)) {
      if (bodies.length >= count) break;
      const at = path.length ? path.join(".") : "the body";
      addJson(`${at} has the unknown member extra${round}`, insertMember(valid, path, `"extra${round}":${round}`));
    }
  }
  // A stray closing brace never starts a JSON text: the last resort for a tiny example.
  for (let index = 0; bodies.length < count; index++) {
    addJson(`garbage #${index}`, `}${index}`);
  }
  return bodies;
}

function parsesTo(text: string, accepts: (value: unknown) => boolean): boolean {
  try {
    return accepts(JSON.parse(text));
  } catch {
    return false;
  }
}

type Path = Array<string | number>;

function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, [...path, index]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(typeof item === "object" && item !== null ? [[...path, key]] : []),
      ...leafPaths(item, [...path, key]),
    ]);
  }
  return path.length ? [path] : [];
}

function objectPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => objectPaths(item, [...path, index]));
  if (typeof value === "object" && value !== null) {
    return [path, ...Object.entries(value).flatMap(([key, item]) => objectPaths(item, [...path, key]))];
  }
  return [];
}

const PLACEHOLDER = "\u0000coffee-edge-placeholder\u0000";

/** The JSON text of `valid` with the value at `path` replaced by raw JSON text (which may be invalid JSON). */
function replaceAt(valid: unknown, path: Path, raw: string): string {
  const copy = structuredClone(valid) as Record<string | number, unknown>;
  setAt(copy, path, PLACEHOLDER);
  return JSON.stringify(copy).replace(JSON.stringify(PLACEHOLDER), () => raw);
}

function removeAt(valid: unknown, path: Path): unknown {
  const copy = structuredClone(valid) as Record<string | number, unknown>;
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

/** The JSON text of `valid` with a raw `"name":value` member added first in the object at `path`. */
function insertMember(valid: unknown, path: Path, member: string): string {
  const copy = structuredClone(valid) as Record<string | number, unknown>;
  const target = path.reduce<Record<string | number, unknown>>(
    (node, key) => node[key] as Record<string | number, unknown>,
    copy,
  );
  const marker = `${PLACEHOLDER}member`;
  const rebuilt = { [marker]: 0, ...target };
  if (path.length === 0) return JSON.stringify(rebuilt).replace(`${JSON.stringify(marker)}:0`, () => member);
  setAt(copy, path, rebuilt);
  return JSON.stringify(copy).replace(`${JSON.stringify(marker)}:0`, () => member);
}

function setAt(root: Record<string | number, unknown>, path: Path, value: unknown): void {
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, root);
  parent[path[path.length - 1] as string | number] = value;
}

/**
 * Runs `work` over `items`, at most `limit` at a time, keeping the results in order: for sending hundreds of
 * bad bodies without opening hundreds of connections at once.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
