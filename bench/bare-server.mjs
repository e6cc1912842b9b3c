// The baseline: a bare node:http server answering the bytes the shell answers for the trivial handler.
import { createServer } from "node:http";

const body = Buffer.from(JSON.stringify({ ok: true }));
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
});
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`bare listening on port: ${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
