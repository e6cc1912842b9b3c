import type { GatewayMetrics } from "../observe/metrics.js";
import type { FunctionPool } from "../runtime/function-pool.js";
import { NAMESPACE } from "../runtime/function-spec.js";

/**
 * faas-provider's `FunctionStatus`, members in Go's order. Two deliberate differences from Go's omitempty:
 * `replicas`, `availableReplicas` and `invocationCount` are always present (a function scaled to zero says
 * `"replicas": 0` rather than nothing; Go clients read both the same).
 */
export function functionStatus(pool: FunctionPool, metrics: GatewayMetrics): Record<string, unknown> {
  const { spec } = pool;
  return {
    name: spec.name,
    image: spec.image,
    namespace: NAMESPACE,
    envProcess: spec.envProcess,
    ...(Object.keys(spec.environment).length > 0 ? { envVars: spec.environment } : {}),
    ...(spec.secrets.length > 0 ? { secrets: spec.secrets } : {}),
    // faas-netes adds these two to what was deployed; clients that select by them find ours the same way.
    labels: { ...spec.labels, faas_function: spec.name },
    annotations: { ...spec.annotations, "prometheus.io.scrape": "false" },
    ...(spec.limits ? { limits: spec.limits } : {}),
    ...(spec.requests ? { requests: spec.requests } : {}),
    invocationCount: metrics.invocationCount(spec.name),
    replicas: pool.desired,
    availableReplicas: pool.available,
    createdAt: spec.createdAt.toISOString(),
  };
}
