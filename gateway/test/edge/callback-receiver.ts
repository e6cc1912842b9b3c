import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Callback {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface CallbackReceiver {
  readonly url: string;
  readonly received: Callback[];
  close(): Promise<void>;
}

/** A back-office system's callback endpoint on 127.0.0.1:0; `answer` picks each status (200 by default). */
export async function startCallbackReceiver(
  answer: (callback: Callback, index: number) => number = () => 200,
): Promise<CallbackReceiver> {
  const received: Callback[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const callback = { headers: req.headers, body: Buffer.concat(chunks) };
      const status = answer(callback, received.length);
      received.push(callback);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
