// The baseline for the gateway's hop: a bare reverse proxy in Node, written with undici. It forwards the method,
// path, headers and body to UPSTREAM_URL and streams the answer back, and does nothing else (no routing, no
// metrics, no call ids, no timeouts), so the gateway's figures against it are the cost of what the gateway adds.
import { createServer } from "node:http";
import { Pool } from "undici";

// Headers that describe one connection, not the message: a proxy must not pass them on (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
]);

function endToEnd(headers) {
  const kept = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

const upstream = new Pool(process.env.UPSTREAM_URL);

const server = createServer((req, res) => {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  upstream.stream(
    { method: req.method, path: req.url, headers: endToEnd(req.headers), body: hasBody ? req : undefined },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, endToEnd(headers));
      return res;
    },
    (error) => {
      if (!error) return;
      if (res.headersSent) res.destroy(error);
      else res.writeHead(502, { "content-type": "text/plain" }).end(`upstream: ${error.message}\n`);
    },
  );
});
server.listen(Number(process.env.http_port ?? 0), "127.0.0.1", () => {
  console.log(`undici proxy listening on port: ${server.address().port}`);
});
process.on("SIGTERM", () => {
  server.close(() => upstream.close().then(() => process.exit(0)));
  server.closeIdleConnections();
});
