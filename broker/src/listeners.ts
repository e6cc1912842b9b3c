import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { BrokerConfig } from "./config.js";
import type { EdgeBroker } from "./edge-broker.js";

/** A port another program holds: the message names it and the variable that moves it. */
export class ListenError extends Error {
  override name = "ListenError";
}

export interface Listening {
  readonly mqttPort: number;
  readonly mqttsPort?: number;
  readonly wsPort?: number;
  close(): Promise<void>;
}

/** TCP always; TLS when a certificate and key are configured; WebSocket (path /mqtt) unless WS_PORT=off. */
export async function listen(broker: EdgeBroker, config: BrokerConfig): Promise<Listening> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    // No Nagle delay: a PUBACK held back 40 ms by delayed ACKs would cap a QoS 1 publisher at 25 messages a second.
    const tcp = createTcpServer({ noDelay: true }, (socket) => broker.handle(socket));
    const mqttPort = await bind(tcp, config.mqttPort, config.host, "MQTT_PORT");
    closers.push(() => closeServer(tcp));
    let mqttsPort: number | undefined;
    if (config.tls) {
      const { certFile, keyFile, caFile, requireClientCert } = config.tls;
      const tls = createTlsServer(
        {
          cert: readFileSync(certFile),
          key: readFileSync(keyFile),
          ...(caFile ? { ca: readFileSync(caFile) } : {}),
          requestCert: requireClientCert,
          rejectUnauthorized: requireClientCert,
        },
        (socket) => {
          socket.setNoDelay(true);
          broker.handle(socket);
        },
      );
      mqttsPort = await bind(tls, config.mqttsPort, config.host, "MQTTS_PORT");
      closers.push(() => closeServer(tls));
    }
    let wsPort: number | undefined;
    if (config.wsPort !== undefined) {
      const wss = new WebSocketServer({ noServer: true, path: "/mqtt" });
      const httpServer = createHttpServer((_req, res) =>
        res.writeHead(426).end("MQTT over WebSocket: connect to /mqtt\n"),
      );
      httpServer.on("upgrade", (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => broker.handle(createWebSocketStream(ws)));
      });
      wsPort = await bind(httpServer, config.wsPort, config.host, "WS_PORT");
      closers.push(async () => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        await closeServer(httpServer);
      });
    }
    return {
      mqttPort,
      ...(mqttsPort !== undefined ? { mqttsPort } : {}),
      ...(wsPort !== undefined ? { wsPort } : {}),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function bind(server: Server | HttpServer, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new ListenError(`port ${port} is already in use: stop what holds it, or move the broker with ${variable}`)
          : error,
      );
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if ("closeAllConnections" in server) server.closeAllConnections();
    server.close(() => resolve());
  });
}
