// npm run bench [-- --quick] [-- --only shell,payment,kiosk-image,receipt,gateway,cold-start,async,mqtt,broker]
// Every figure is a ratio against the same work without our layer, measured in the same run, in
// alternating rounds; the subjects run as child processes so the load generator never shares their loop.
// - shell: the template shell vs a bare node:http server answering the same bytes (GET);
// - payment: the payment function (JWT + validation + store write) vs the template's trivial handler;
// - kiosk-image: the function over HTTP vs bare sharp doing the same conversion of a 12-megapixel JPEG;
// - receipt: the function over HTTP vs bare pdfkit rendering the same document;
// - gateway: the trivial handler through the gateway vs through a bare undici reverse proxy vs direct (GET);
// - cold-start: first answer from a function scaled to zero through the gateway vs spawning its shell by hand;
// - async: async calls accepted per second, committed to the on-disk queue, vs a bare server answering 202;
// - mqtt: QoS 1 messages/s from publishers to a function through our mqtt-connector and the gateway vs the raw
//   broker (a plain subscriber) and vs a connector invoking one message at a time; publish-to-function latency;
// - broker: QoS 1 messages/s through our edge broker (auth, ACLs, persistence) vs bare aedes (in-memory, no auth),
//   and the bridge's forwarding messages/s to a central Mosquitto, in order.
import { asyncAccept } from "./async.mjs";
import { brokerVsAedes } from "./broker.mjs";
import { coldStart } from "./cold-start.mjs";
import { gatewayVsProxy } from "./gateway.mjs";
import { kioskVsSharp, receiptVsPdfkit } from "./media.mjs";
import { mqttConnector } from "./mqtt.mjs";
import { paymentVsTrivial } from "./payment.mjs";
import { shellVsBare } from "./shell-vs-bare.mjs";
import { requireWrk } from "./wrk.mjs";

const quick = process.argv.includes("--quick");
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex > 0 ? new Set(process.argv[onlyIndex + 1].split(",")) : undefined;
const options = { quick, rounds: quick ? 2 : 5, seconds: quick ? 2 : 5 };

const sections = {
  shell: shellVsBare,
  payment: paymentVsTrivial,
  "kiosk-image": kioskVsSharp,
  receipt: receiptVsPdfkit,
  gateway: gatewayVsProxy,
  "cold-start": coldStart,
  async: asyncAccept,
  mqtt: mqttConnector,
  broker: brokerVsAedes,
};

requireWrk();
console.log(`npm run bench${quick ? " --quick" : ""}: Node ${process.version}, ${options.rounds} rounds per section`);
for (const [name, section] of Object.entries(sections)) {
  if (only && !only.has(name)) continue;
  await section(options);
}
