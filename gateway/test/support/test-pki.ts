import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A throwaway PKI's files, and the PEMs a client passes to MQTT.js. */
export interface TestPki {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  readonly ca: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

/**
 * Makes, with openssl in `dir`, a CA valid for one day, a server certificate for 127.0.0.1 and a client
 * certificate whose common name is `clientName` (brokers that map certificates to users read it).
 */
export function makeTestPki(dir: string, clientName = "test-client"): TestPki {
  const at = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  const newKey = (subject: string, key: string) => [
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    at(key),
    "-subj",
    subject,
  ];
  openssl(["req", "-x509", ...newKey("/CN=coffee-edge test CA", "ca.key"), "-out", at("ca.pem"), "-days", "1"]);
  const issue = (name: string, subject: string, extension: string) => {
    openssl(["req", ...newKey(subject, `${name}.key`), "-out", at(`${name}.csr`)]);
    writeFileSync(at(`${name}.ext`), `${extension}\n`);
    const signing = ["-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "1"];
    openssl([
      "x509",
      "-req",
      "-in",
      at(`${name}.csr`),
      ...signing,
      "-out",
      at(`${name}.pem`),
      "-extfile",
      at(`${name}.ext`),
    ]);
  };
  issue("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1");
  issue("client", `/CN=${clientName}`, "extendedKeyUsage=clientAuth");
  return {
    caFile: at("ca.pem"),
    serverCertFile: at("server.pem"),
    serverKeyFile: at("server.key"),
    clientCertFile: at("client.pem"),
    clientKeyFile: at("client.key"),
    ca: readFileSync(at("ca.pem")),
    clientCert: readFileSync(at("client.pem")),
    clientKey: readFileSync(at("client.key")),
  };
}
