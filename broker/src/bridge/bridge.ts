import { type CentralConnection, connectToCentral, redactUrl, SUPPORTED_PROTOCOLS } from "./central-connection.js";
import { type CommandRelay, type LocalPublish, startCommandRelay } from "./command-relay.js";
import { createDropReporter, type DropCause } from "./drop-reporter.js";
import { type Forwarder, startForwarder } from "./forwarder.js";
import type { BridgeLogger } from "./logger.js";
import type { AddResult, Outbox, QoS } from "./outbox.js";
import { invalidFilterReason, topicMatches } from "./topic-filter.js";
import { createTopicMapping } from "./topic-mapping.js";

/** Hooks for metrics; each is optional and must not throw. */
export interface BridgeEvents {
  /** The central broker acknowledged `count` more messages (their rows are being deleted). */
  forwarded?(count: number): void;
  /** `count` messages were given up: the outbox policy dropped them, or storing one failed. */
  dropped?(count: number, cause: DropCause): void;
  connected?(): void;
  disconnected?(): void;
  /** A command from the central broker was published locally. */
  commandRelayed?(localTopic: string): void;
}

export interface BridgeOptions {
  /** Opened by the caller (who closes it after `stop()`). */
  readonly outbox: Outbox;
  /** How commands from the central broker are published on the local broker. */
  readonly localPublish: LocalPublish;
  /** mqtt://, mqtts://, ws:// or wss:// */
  readonly centralUrl: string;
  /** Stable across restarts, e.g. `edge-bridge-<storeId>`: the central broker keeps our session under it. */
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Local filters relayed out, e.g. `store/+/fridge/#`. */
  readonly topics: readonly string[];
  /** A filter on the CENTRAL broker relayed in, e.g. `stores/store042/cmd/#`. */
  readonly commandFilter?: string;
  /** Central root, e.g. `stores/{storeId}/` (see createTopicMapping). */
  readonly prefix?: string;
  /** Local root the prefix replaces, e.g. `store/{storeId}/`; default "" (the prefix is only put in front). */
  readonly localPrefix?: string;
  readonly storeId: string;
  readonly logger: BridgeLogger;
  readonly events?: BridgeEvents;
  /** Unacknowledged publishes at a time; default 64. */
  readonly window?: number;
  /** Reconnect backoff, default 500 ms doubling up to 30 s. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Default 30 s. */
  readonly keepaliveSeconds?: number;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long stop() waits for in-flight PUBACKs before closing anyway; default 2 s. */
  readonly stopTimeoutMs?: number;
  /** Drops after the first one are logged as one line per interval; default 10 s. */
  readonly dropLogIntervalMs?: number;
}

export interface Bridge {
  /**
   * Called by the broker for every local publish, synchronously. Stores the message in the outbox (committed when
   * this returns) when it matches `topics`, unless it falls in the command space (see startBridge). Never throws.
   * For "acknowledged locally means stored", call it before the publisher's PUBACK: aedes 1.2.0 writes a QoS 1
   * PUBACK before it publishes, i.e. before its `published` hook and "publish" event, so the place is
   * `authorizePublish`, once the publish is allowed.
   */
  capture(topic: string, payload: Uint8Array | string, qos: QoS): void;
  /** True while the central broker is connected. */
  readonly connected: boolean;
  /** Stops forwarding and relaying; waits a little for in-flight PUBACKs. The outbox stays open. */
  stop(): Promise<void>;
}

const DEFAULTS = {
  window: 64,
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
  keepaliveSeconds: 30,
  connectTimeoutMs: 10_000,
  stopTimeoutMs: 2000,
  dropLogIntervalMs: 10_000,
  removeRetryMs: 1000,
} as const;

/**
 * The store-and-forward bridge, inside the edge broker's process. Local messages matching `topics` are written to
 * the outbox before anything else, then forwarded to the central broker in outbox order with QoS 1 and deleted
 * on its PUBACK (at least once: after a crash or a lost PUBACK the central side may get a message twice).
 * Commands matching `commandFilter` at the central broker are published locally under their local topic.
 *
 * No loop: a local message whose central topic would match `commandFilter` is never relayed out, since the
 * central broker would hand it straight back as a command (with the usual prefixes this is `store/<id>/cmd/…`).
 */
export function startBridge(options: BridgeOptions): Bridge {
  validate(options);
  const settings = {
    window: options.window ?? DEFAULTS.window,
    reconnectMinMs: options.reconnectMinMs ?? DEFAULTS.reconnectMinMs,
    reconnectMaxMs: options.reconnectMaxMs ?? DEFAULTS.reconnectMaxMs,
    keepaliveSeconds: options.keepaliveSeconds ?? DEFAULTS.keepaliveSeconds,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs,
    dropLogIntervalMs: options.dropLogIntervalMs ?? DEFAULTS.dropLogIntervalMs,
  };
  const { outbox, logger } = options;
  const events = guardEvents(options.events ?? {}, logger);
  const mapping = createTopicMapping({
    storeId: options.storeId,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.localPrefix === undefined ? {} : { localPrefix: options.localPrefix }),
  });
  const topics = [...options.topics];
  const commandFilter = options.commandFilter;
  const drops = createDropReporter(logger, outbox, settings.dropLogIntervalMs);
  let stopping = false;
  let forwarder: Forwarder | undefined;
  let relay: CommandRelay | undefined;

  const connection: CentralConnection = connectToCentral({
    url: options.centralUrl,
    clientId: options.clientId,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.cert === undefined ? {} : { cert: options.cert }),
    ...(options.key === undefined ? {} : { key: options.key }),
    keepaliveSeconds: settings.keepaliveSeconds,
    connectTimeoutMs: settings.connectTimeoutMs,
    reconnectMinMs: settings.reconnectMinMs,
    reconnectMaxMs: settings.reconnectMaxMs,
    logger,
    onConnected(sessionPresent) {
      relay?.onConnected(sessionPresent);
      forwarder?.wake();
      events.connected();
    },
    onDisconnected() {
      events.disconnected();
    },
  });

  forwarder = startForwarder({
    outbox,
    client: connection.client,
    window: settings.window,
    toCentral: mapping.toCentral,
    isReady: () => connection.ready && !stopping,
    onForwarded: (count) => events.forwarded(count),
    onPublishError: (error) =>
      logger.warn(`bridge: a publish to central failed (${error.message}); sending again from the oldest message`),
    onRemoveError: (error) =>
      logger.warn(`bridge: could not delete forwarded messages from the outbox: ${(error as Error).message}`),
    removeRetryMs: DEFAULTS.removeRetryMs,
  });
  if (commandFilter !== undefined) {
    relay = startCommandRelay({
      client: connection.client,
      filter: commandFilter,
      toLocal: mapping.toLocal,
      localPublish: options.localPublish,
      logger,
      onRelayed: (localTopic) => events.commandRelayed(localTopic),
    });
  }
  // Relayed in, so never relayed out (see above).
  const isCommandEcho = (topic: string): boolean =>
    commandFilter !== undefined && topicMatches(commandFilter, mapping.toCentral(topic));

  const reportDrop = (count: number, cause: DropCause): void => {
    drops.report(count, cause);
    events.dropped(count, cause);
  };

  logger.info(
    `bridge: relaying ${topics.join(", ") || "(no topics)"} to ${redactUrl(options.centralUrl)}` +
      (mapping.prefix ? ` under ${mapping.prefix}` : "") +
      (commandFilter ? `; commands from ${commandFilter}` : "") +
      `; outbox holds ${outbox.depth()} message(s)`,
  );

  return {
    capture(topic, payload, qos) {
      if (!topics.some((filter) => topicMatches(filter, topic)) || isCommandEcho(topic)) return;
      try {
        const body = typeof payload === "string" ? Buffer.from(payload) : payload;
        const result = outbox.add(topic, body, qos);
        if (result.dropped.length > 0) reportDrop(result.dropped.length, dropCause(result, outbox));
        if (result.seq !== null) forwarder?.wake();
      } catch (error) {
        // Called from the broker's publish path: a failed write loses this message, it must not fail the broker.
        logger.warn(`bridge: could not store a message from ${topic}: ${(error as Error).message}`);
        reportDrop(1, "write-failed");
      }
    },
    get connected() {
      return connection.ready;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      const active = forwarder;
      if (active !== undefined && connection.ready && active.inFlight > 0) {
        // PUBACKs on their way spare the central side duplicates after the restart.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, settings.stopTimeoutMs);
        });
        await Promise.race([active.drained(), timeout]);
        clearTimeout(timer);
      }
      await connection.end(!connection.ready || (active?.inFlight ?? 0) > 0);
      active?.stop();
      drops.close();
    },
  };
}

/** A refused new message is "too-large" when it could never fit, else the policy made room or refused it. */
function dropCause(result: AddResult, outbox: Outbox): DropCause {
  if (outbox.limits.policy === "drop-newest") return "drop-newest";
  return result.seq === null ? "too-large" : "drop-oldest";
}

/** The hooks, each made safe: a failing metric must not stop forwarding or fail the broker's publish path. */
function guardEvents(events: BridgeEvents, logger: BridgeLogger): Required<BridgeEvents> {
  const safely =
    <A extends unknown[]>(name: keyof BridgeEvents, hook: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      if (hook === undefined) return;
      try {
        hook.apply(events, args);
      } catch (error) {
        logger.warn(`bridge: the ${name} event handler failed: ${(error as Error).message}`);
      }
    };
  return {
    forwarded: safely("forwarded", events.forwarded),
    dropped: safely("dropped", events.dropped),
    connected: safely("connected", events.connected),
    disconnected: safely("disconnected", events.disconnected),
    commandRelayed: safely("commandRelayed", events.commandRelayed),
  };
}

function validate(options: BridgeOptions): void {
  let protocol: string;
  try {
    protocol = new URL(options.centralUrl).protocol;
  } catch {
    throw new RangeError("centralUrl is not a valid URL");
  }
  if (!(SUPPORTED_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new RangeError(`centralUrl must start with ${SUPPORTED_PROTOCOLS.join("//, ")}//, got ${protocol}//`);
  }
  if (options.clientId.length === 0) throw new RangeError("clientId must not be empty");
  for (const filter of options.topics) {
    const reason = invalidFilterReason(filter);
    if (reason !== undefined) throw new RangeError(`topic filter "${filter}" is invalid: ${reason}`);
  }
  if (options.commandFilter !== undefined) {
    const reason = invalidFilterReason(options.commandFilter);
    if (reason !== undefined) throw new RangeError(`commandFilter "${options.commandFilter}" is invalid: ${reason}`);
  }
  const positive = ["window", "reconnectMinMs", "reconnectMaxMs", "connectTimeoutMs", "dropLogIntervalMs"] as const;
  for (const name of positive) {
    const value = options[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      throw new RangeError(`${name} must be a whole number ≥ 1, got ${String(value)}`);
    }
  }
  for (const name of ["keepaliveSeconds", "stopTimeoutMs"] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new RangeError(`${name} must be a whole number ≥ 0, got ${String(value)}`);
    }
  }
  if (options.window !== undefined && options.window > 65_535) {
    throw new RangeError(`window must be at most 65535 (MQTT packet identifiers), got ${options.window}`);
  }
}
