// The subscriber of the broker section, as a child process: one QoS 1 MQTT 3.1.1 client (aedes speaks no MQTT 5,
// which bench/mqtt-subscriber.mjs uses) that counts what arrives. With CHECK_ORDER=true it also checks the order
// of publishBurst's payloads {"n": N}, N counting up from 0 in each run: a message whose N is not above the
// previous one's arrived out of order, one whose N was seen already arrived twice (without it, nothing is parsed,
// so the subscriber costs as little as it can).
// GET /count answers {"count", "outOfOrder", "duplicates"}, running totals since the last POST /reset.
// It logs "listening on port: N" once it is subscribed, which is what servers.mjs's startSubject waits for.
// Env: BROKER_URL (credentials in it if the broker wants them), FILTER (e.g. store/#), CHECK_ORDER, http_port.
import { createServer } from "node:http";
import mqtt from "mqtt";

const { BROKER_URL, FILTER, CHECK_ORDER = "false" } = process.env;
if (!BROKER_URL || !FILTER) throw new Error("broker-subscriber.mjs needs BROKER_URL and FILTER");
const checkOrder = CHECK_ORDER === "true";

let count = 0;
let outOfOrder = 0;
let duplicates = 0;
let last = -1;
let seen = new Set();
const client = await mqtt.connectAsync(BROKER_URL, {
  clientId: `bench-broker-subscriber-${process.pid}`,
  clean: true,
  protocolVersion: 4,
  reconnectPeriod: 0,
});
// MQTT.js sends the PUBACK itself once the message has been handed over: nothing to wait for here.
client.on("message", (_topic, payload) => {
  count++;
  if (!checkOrder) return;
  const { n } = JSON.parse(payload.toString());
  if (seen.has(n)) duplicates++;
  else seen.add(n);
  if (n <= last) outOfOrder++;
  last = n;
});
client.on("error", (error) => {
  console.error(`broker subscriber: ${error.message}`);
  process.exit(1);
});
client.on("close", () => {
  console.error("broker subscriber: the broker closed the connection");
  process.exit(1);
});
const [granted] = await client.subscribeAsync(FILTER, { qos: 1 });
if (granted?.qos !== 1)
  throw new Error(`broker subscriber: ${FILTER} not granted at QoS 1: ${JSON.stringify(granted)}`);

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ count, outOfOrder, duplicates }));
    return;
  }
  if (req.method === "POST" && req.url === "/reset") {
    count = 0;
    outOfOrder = 0;
    duplicates = 0;
    last = -1;
    seen = new Set();
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`listening on port: ${server.address().port}`);
});
