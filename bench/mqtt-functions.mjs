// What the mqtt section asks of the gateway: functions with a `topic` annotation (applied through
// PUT /system/functions, the way `faas-cli deploy` updates a function, since the bench's stack.yml writer knows
// labels and environment only), and counts of successful invocations from its /metrics.
import { httpCall, waitFor } from "./edge.mjs";

/**
 * Redeploys each function of `functions` ({ name, labels, environment, annotations }) with its annotations, then
 * waits until the gateway lists them with one available replica and the function answers 200.
 */
export async function annotateFunctions(gateway, functions) {
  const headers = { authorization: gateway.auth, "content-type": "application/json" };
  for (const fn of functions) {
    const deployment = {
      service: fn.name,
      labels: fn.labels ?? {},
      envVars: fn.environment ?? {},
      annotations: fn.annotations ?? {},
    };
    const answer = await httpCall(`${gateway.url}/system/functions`, {
      method: "PUT",
      headers,
      body: JSON.stringify(deployment),
    });
    if (answer.status !== 202) throw new Error(`PUT /system/functions for ${fn.name}: ${answer.status} ${answer.body}`);
  }
  for (const fn of functions) {
    await waitFor(`${fn.name} redeployed with its annotations and one replica`, async () => {
      const { status, body } = await httpCall(`${gateway.url}/system/function/${fn.name}`, {
        headers: { authorization: gateway.auth },
      });
      if (status !== 200) throw new Error(`GET /system/function/${fn.name} answered ${status}: ${body}`);
      const listed = JSON.parse(body);
      const annotated = Object.entries(fn.annotations ?? {}).every(
        ([key, value]) => listed.annotations?.[key] === value,
      );
      if (!annotated || listed.replicas !== 1 || listed.availableReplicas !== 1) return false;
      return (await httpCall(`${gateway.url}/function/${fn.name}`)).status === 200;
    });
  }
}

/** `gateway_function_invocation_total{code="200",function_name="<fn>.openfaas-fn"}` now (0 before the first). */
export async function okInvocations(gateway, fn) {
  const { status, body } = await httpCall(`${gateway.url}/metrics`);
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  for (const line of body.split("\n")) {
    if (!line.startsWith("gateway_function_invocation_total{")) continue;
    const labels = line.slice(line.indexOf("{") + 1, line.lastIndexOf("}"));
    if (labels.includes('code="200"') && labels.includes(`function_name="${fn}.openfaas-fn"`)) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return 0;
}
