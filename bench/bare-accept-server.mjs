// The "no durability" baseline for async calls: a bare node:http server that reads the body and answers 202,
// storing nothing, as a gateway that only acknowledged calls would.
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(202);
    res.end();
  });
});
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`bare accept listening on port: ${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
