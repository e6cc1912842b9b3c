import type { InvokerResponse } from "../core/invoker.js";
import type { BrokerConnection } from "./broker-connection.js";

export interface ResponseRoute {
  readonly topic: string;
  readonly correlationData?: Buffer;
}

/**
 * Where a function's answer goes: the MQTT 5 response topic of the message, with its correlation data; else the
 * function's `response-topic` annotation, in which `{topic}` stands for the message's topic; else nowhere.
 */
export function responseRoute(
  message: { readonly topic: string; readonly responseTopic?: string; readonly correlationData?: Buffer },
  annotations: Readonly<Record<string, string>>,
): ResponseRoute | undefined {
  if (message.responseTopic) {
    return {
      topic: message.responseTopic,
      ...(message.correlationData ? { correlationData: message.correlationData } : {}),
    };
  }
  const template = annotations["response-topic"]?.trim();
  if (!template) return undefined;
  return { topic: template.replaceAll("{topic}", message.topic) };
}

/** Publishes the function's body (QoS 1), with its status and content type as MQTT 5 properties. */
export async function publishResponse(
  broker: BrokerConnection,
  route: ResponseRoute,
  response: InvokerResponse,
): Promise<void> {
  const contentType = response.headers["content-type"];
  await broker.publish(route.topic, response.body, {
    ...(route.correlationData ? { correlationData: route.correlationData } : {}),
    ...(typeof contentType === "string" ? { contentType } : {}),
    userProperties: { "x-function": response.fn, "x-status": String(response.status) },
  });
}
