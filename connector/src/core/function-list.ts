import { request } from "undici";

/** What the connectors need of a function status from `GET /system/functions`. */
export interface ListedFunction {
  /** `name.namespace` (connector-sdk's form when the gateway gives namespaces), else `name`. */
  readonly fn: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface FunctionListOptions {
  readonly gatewayUrl: string;
  readonly authorization?: string;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

/**
 * Reads every function the gateway has, as connector-sdk does: `GET /system/namespaces`, then
 * `GET /system/functions?namespace=NS` for each (once without a namespace when the list is empty). Any
 * failure rejects with a message naming the URL and the status; the caller keeps its last good map.
 */
export async function listFunctions(options: FunctionListOptions): Promise<ListedFunction[]> {
  const base = options.gatewayUrl.replace(/\/+$/, "");
  const namespaces = (await getJson(`${base}/system/namespaces`, options)) as unknown;
  if (!Array.isArray(namespaces) || namespaces.some((ns) => typeof ns !== "string")) {
    throw new Error(`${base}/system/namespaces did not answer a JSON array of names`);
  }
  const listed: ListedFunction[] = [];
  for (const namespace of namespaces.length > 0 ? (namespaces as string[]) : [""]) {
    const url = `${base}/system/functions${namespace ? `?namespace=${encodeURIComponent(namespace)}` : ""}`;
    const functions = await getJson(url, options);
    if (!Array.isArray(functions)) throw new Error(`${url} did not answer a JSON array`);
    for (const status of functions) {
      if (typeof status !== "object" || status === null) continue;
      const { name, annotations } = status as { name?: unknown; annotations?: unknown };
      if (typeof name !== "string" || name === "") continue;
      listed.push({
        fn: namespace ? `${name}.${namespace}` : name,
        annotations: stringsOnly(annotations),
      });
    }
  }
  return listed;
}

async function getJson(url: string, options: FunctionListOptions): Promise<unknown> {
  const answer = await request(url, {
    headers: {
      "user-agent": options.userAgent,
      ...(options.authorization ? { authorization: options.authorization } : {}),
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200) {
    throw new Error(
      `GET ${url} answered ${answer.statusCode}${answer.statusCode === 401 ? " (check basic_auth and the credentials)" : ""}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`GET ${url} did not answer JSON`);
  }
}

function stringsOnly(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") out[key] = entry;
  return out;
}
