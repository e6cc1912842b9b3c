// The one-at-a-time baseline of the mqtt section, as a child process: a minimal connector in the design of
// OpenFaaS's mqtt-connector. It subscribes at QoS 1, lets MQTT.js acknowledge each message as it arrives (before
// the function ran: a crash loses what is waiting here), and invokes the functions strictly one message at a time,
// one HTTP POST after the other on one kept-alive connection, with the same headers as our connector.
// Topics are `<prefix>/<function>/<anything>`: the second level names the function, so one process serves every
// function of the bench without a function list. GET /count answers {"ok": n, "failed": n} (running totals).
// It logs "listening on port: N" once subscribed, which is what servers.mjs's startSubject waits for.
// Env: BROKER_URL, FILTER (e.g. serial/+/+), GATEWAY_URL, CLIENT_ID, http_port.
import { createServer } from "node:http";
import mqtt from "mqtt";
import { Agent, request } from "undici";

const { BROKER_URL, FILTER, GATEWAY_URL, CLIENT_ID = `bench-serial-connector-${process.pid}` } = process.env;
if (!BROKER_URL || !FILTER || !GATEWAY_URL)
  throw new Error("serial-connector.mjs needs BROKER_URL, FILTER, GATEWAY_URL");

const gateway = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
const waiting = [];
let ok = 0;
let failed = 0;
let running = false;

async function invoke({ topic, payload }) {
  const fn = topic.split("/")[1];
  try {
    const answer = await request(`${GATEWAY_URL}/function/${fn}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-topic": topic, "x-connector": "serial-connector" },
      body: payload,
      dispatcher: gateway,
    });
    await answer.body.dump();
    if (answer.statusCode >= 200 && answer.statusCode < 300) ok++;
    else failed++;
  } catch {
    failed++; // OpenFaaS's connector logs and moves on: no retry
  }
}

/** Drains the waiting messages strictly in order, one invocation at a time. */
async function drain() {
  if (running) return;
  running = true;
  while (waiting.length > 0) await invoke(waiting.shift());
  running = false;
}

const client = await mqtt.connectAsync(BROKER_URL, {
  clientId: CLIENT_ID,
  clean: true,
  protocolVersion: 5,
  reconnectPeriod: 0,
});
client.on("message", (topic, payload) => {
  waiting.push({ topic, payload });
  drain();
});
client.on("error", (error) => {
  console.error(`serial connector: ${error.message}`);
  process.exit(1);
});
client.on("close", () => {
  console.error("serial connector: the broker closed the connection");
  process.exit(1);
});
await client.subscribeAsync(FILTER, { qos: 1 });

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok, failed }));
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`listening on port: ${server.address().port}`);
});
