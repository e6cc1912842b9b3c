// aedes 1.x acknowledges a QoS 1 PUBLISH (PUBACK) before it publishes the message, and so before the message is
// written to the persistence of offline sessions: a broker killed in between loses a message the device saw
// acknowledged (our SIGKILL test caught it). This swaps the two steps, as aedes already orders QoS 2: publish, then
// acknowledge. Run on install (postinstall); it refuses to touch an aedes whose code is not the one it knows.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MARKER = "/* coffee-edge: QoS 1 is acknowledged after it is published */";
const ORIGINAL = `    case 1:
      write(client, new PubAck(packet), function (err) {
        if (err) { return done(err) }
        client.broker.publish(packet, client, done)
      })
      break`;
const PATCHED = `    case 1: ${MARKER}
      client.broker.publish(packet, client, function (err) {
        if (err) { return done(err) }
        write(client, new PubAck(packet), done)
      })
      break`;

// aedes exports no package.json: find its folder from its entry module (aedes.js at the package's root).
const aedesDir = path.dirname(fileURLToPath(import.meta.resolve("aedes")));
const file = path.join(aedesDir, "lib", "handlers", "publish.js");
const source = readFileSync(file, "utf8");
if (source.includes(MARKER)) process.exit(0);
if (!source.includes(ORIGINAL)) {
  console.error(
    `${file}: aedes's QoS 1 handling is not the code this patch knows; review broker/scripts/patch-aedes-qos1.mjs`,
  );
  process.exit(1);
}
writeFileSync(file, source.replace(ORIGINAL, PATCHED));
console.log("aedes: QoS 1 PUBLISH is now acknowledged after it is published (broker/scripts/patch-aedes-qos1.mjs)");
