import { Agent, request } from "undici";

/** What a connector asks to run: one message (or one cron tick) for one function. */
export interface InvokeRequest {
  /** `name` or `name.namespace`, as the topic map has it. */
  readonly fn: string;
  /** The MQTT topic the message came on, or `cron-function`. */
  readonly topic: string;
  readonly body: Buffer;
  /** More headers: trace context, and whatever a connector adds. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** connector-sdk's `InvokerResponse`: `status` 0 and `error` set when no answer came at all. */
export interface InvokerResponse {
  readonly topic: string;
  readonly fn: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly error?: Error;
  readonly durationMs: number;
}

export interface Invoker {
  invoke(request: InvokeRequest): Promise<InvokerResponse>;
  close(): Promise<void>;
}

export interface InvokerOptions {
  /** `gateway_url`, e.g. `http://127.0.0.1:8080`. */
  readonly gatewayUrl: string;
  /** `asynchronous_invocation`: `/async-function/` (202, result by callback) instead of `/function/`. */
  readonly asynchronous: boolean;
  /** `X-Connector`: `mqtt-connector` or `cron-connector`. */
  readonly connector: string;
  /** `content_type`: sent as Content-Type when set. */
  readonly contentType?: string;
  /** `upstream_timeout` in ms; 0 = none. */
  readonly timeoutMs: number;
  /** `Authorization` for the gateway, when `basic_auth` is on (functions need none; the async route neither). */
  readonly authorization?: string;
  readonly userAgent: string;
}

/**
 * connector-sdk's invoker: `POST {gateway_url}/function/{fn}` (or `/async-function/`) with the message as the
 * body and `X-Topic`, `X-Connector`, `Content-Type`. It never throws: a failure to get an answer is a response
 * with status 0 and `error`, so the caller decides about retries in one place.
 */
export function createInvoker(options: InvokerOptions): Invoker {
  // Kept-alive connections to the gateway: a connector sends many small requests to one host.
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 128 });
  const base = options.gatewayUrl.replace(/\/+$/, "");
  const route = options.asynchronous ? "async-function" : "function";
  return {
    async invoke(call) {
      const started = performance.now();
      const headers: Record<string, string> = {
        "user-agent": options.userAgent,
        "x-connector": options.connector,
        "x-topic": call.topic,
        ...(options.contentType ? { "content-type": options.contentType } : {}),
        ...(options.authorization ? { authorization: options.authorization } : {}),
        ...call.headers,
      };
      try {
        const answer = await request(`${base}/${route}/${call.fn}`, {
          method: "POST",
          headers,
          body: call.body,
          dispatcher,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
        const body = Buffer.from(await answer.body.arrayBuffer());
        return {
          topic: call.topic,
          fn: call.fn,
          status: answer.statusCode,
          headers: answer.headers,
          body,
          durationMs: performance.now() - started,
        };
      } catch (error) {
        return {
          topic: call.topic,
          fn: call.fn,
          status: 0,
          headers: {},
          body: Buffer.alloc(0),
          error: error instanceof Error ? error : new Error(String(error)),
          durationMs: performance.now() - started,
        };
      }
    },
    close: () => dispatcher.close(),
  };
}
