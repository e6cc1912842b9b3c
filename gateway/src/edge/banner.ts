import path from "node:path";
import type { Edge } from "./start-edge.js";

/**
 * The one banner `coffee-edge up` prints: where everything is, where the credentials are (never the values),
 * and a line to try for HTTP and one for MQTT.
 */
export function banner(edge: Edge, cwd: string, stackFile: string): string {
  const rel = (file: string) => {
    const relative = path.relative(cwd, file);
    return relative.startsWith("..") ? file : relative;
  };
  const { config } = edge;
  const first = edge.specs.find((spec) => spec.name === "echo") ?? edge.specs[0];
  const names = edge.specs.map((spec) => spec.name).join(", ");
  const lines = [
    "",
    `coffee-edge is up: ${edge.specs.length} functions from ${rel(stackFile)} (${names})`,
    "",
    `  gateway     ${edge.url}            (GATEWAY_PORT)`,
    `  functions   ${edge.url}/function/<name>`,
    `  async       ${edge.url}/async-function/<name>   with X-Callback-Url`,
    `  metrics     ${edge.url}/metrics`,
    `  dashboard   ${edge.url}/ui/   (the admin user below; live sensors and alerts when the broker is up)`,
    `  admin       user "${edge.credentialFiles.user}", password in ${rel(edge.credentialFiles.passwordFile)}`,
    `              faas-cli login -g ${edge.url} -u ${edge.credentialFiles.user} --password-stdin < ${rel(edge.credentialFiles.passwordFile)}`,
    `  data        ${rel(config.dataDir)}/ (state, queue, logs, secrets/)   (DATA_DIR)`,
  ];
  if (edge.generatedSecrets.length > 0) {
    lines.push(
      `  secrets     generated ${edge.generatedSecrets.join(", ")} in ${rel(path.join(config.dataDir, "secrets"))}/`,
      "              replace one with: faas-cli secret update <name> --from-file <file>",
    );
  }
  const credentials = edge.brokerCredentialsDir;
  lines.push(
    credentials
      ? `  broker      edge-broker on mqtt://127.0.0.1:${config.mqttPort} (MQTT_PORT; its data in ${rel(path.join(config.dataDir, "broker"))}/)`
      : config.mqttBroker === "external"
        ? `  broker      the one already on 127.0.0.1:${config.mqttPort} (MQTT_BROKER=external)`
        : `  broker      port ${config.mqttPort} was taken, so the broker already there serves (MQTT_PORT moves coffee-edge's own broker elsewhere; MQTT_BROKER=embedded makes a taken port an error)`,
    ...(credentials
      ? [`              users mqtt-connector, dashboard, sensor-store001..003: passwords in ${rel(credentials)}/<user>`]
      : []),
    ...edge.connectorLines,
    "",
    "  try:",
    `    curl -s ${edge.url}/function/${first?.name ?? "echo"} -H 'content-type: application/json' -d '{"hello":"world"}'`,
    credentials
      ? `    mosquitto_pub -h 127.0.0.1 -p ${config.mqttPort} -u sensor-store001 -P "$(cat ${rel(path.join(credentials, "sensor-store001"))})" -q 1 -t store/store001/fridge/fridge1/temp -m '{"temp":4.2,"unit":"C"}'`
      : `    mosquitto_pub -h 127.0.0.1 -p ${config.mqttPort} -q 1 -t store/store001/fridge/fridge1/temp -m '{"temp":4.2,"unit":"C"}'`,
    "    npm run simulate -- --stores 3 --rate 5",
    "",
    "  Ctrl-C drains the calls in flight and stops everything; the async queue stays on disk.",
    "",
  );
  return lines.join("\n");
}
