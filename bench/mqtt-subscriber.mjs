// The raw broker baseline of the mqtt section, as a child process: a plain QoS 1 subscriber that counts what
// arrives and does nothing else, except on topics under LATENCY_PREFIX, whose payload {"sentAt": <epoch ms>} it
// turns into a publish-to-here latency the way the bench's latency fixture does (same clock, same arithmetic).
// GET /count answers {"count": n} (a running total); GET /stats answers {"count", "latenciesMs"} and forgets them.
// It logs "listening on port: N" once it is subscribed, which is what servers.mjs's startSubject waits for.
// Env: BROKER_URL, FILTER (e.g. raw/#), LATENCY_PREFIX (e.g. raw/latency/), CLIENT_ID, http_port.
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import mqtt from "mqtt";

const { BROKER_URL, FILTER, LATENCY_PREFIX, CLIENT_ID = `bench-raw-subscriber-${process.pid}` } = process.env;
if (!BROKER_URL || !FILTER || !LATENCY_PREFIX) {
  throw new Error("mqtt-subscriber.mjs needs BROKER_URL, FILTER and LATENCY_PREFIX");
}

let count = 0;
const latenciesMs = [];
const client = await mqtt.connectAsync(BROKER_URL, {
  clientId: CLIENT_ID,
  clean: true,
  protocolVersion: 5,
  reconnectPeriod: 0,
});
// MQTT.js sends the PUBACK itself once the message has been handed over: nothing to wait for here.
client.on("message", (topic, payload) => {
  count++;
  if (!topic.startsWith(LATENCY_PREFIX)) return;
  const receivedAt = performance.timeOrigin + performance.now();
  latenciesMs.push(receivedAt - JSON.parse(payload.toString()).sentAt);
});
client.on("error", (error) => {
  console.error(`raw subscriber: ${error.message}`);
  process.exit(1);
});
client.on("close", () => {
  console.error("raw subscriber: the broker closed the connection");
  process.exit(1);
});
await client.subscribeAsync(FILTER, { qos: 1 });

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ count }));
    return;
  }
  if (req.method === "GET" && req.url === "/stats") {
    const taken = latenciesMs.splice(0);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ count: taken.length, latenciesMs: taken }));
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`listening on port: ${server.address().port}`);
});
