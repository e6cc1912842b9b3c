import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { Aedes } from "aedes";

export interface AedesBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A plain aedes 1.x broker (MQTT 3.1.1) over TCP on 127.0.0.1, as coffee-edge's own broker is built on. */
export async function startAedes(port = 0): Promise<AedesBroker> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
