// The bare baseline of the broker section, as a child process: aedes as it comes (in-memory persistence, no
// users, no ACLs, no limits) on plain TCP, Nagle off like our listener. It logs "listening on port: N", which is
// what servers.mjs's startSubject waits for (there it is the MQTT port, not an HTTP one).
import { createServer } from "node:net";
import { Aedes } from "aedes";

const broker = await Aedes.createBroker();
const server = createServer({ noDelay: true }, broker.handle);
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`listening on port: ${server.address().port}`);
});
process.once("SIGTERM", () => {
  server.close();
  broker.close(() => process.exit(0));
});
