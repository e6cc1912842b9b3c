import type { Handler } from "@coffee-edge/node18-typescript";

/**
 * The sample function: echoes what it received, as OpenFaaS's node18 sample does.
 * Return a value (or call context.succeed) to answer; throw or call context.fail for an error.
 */
const handler: Handler = async (event, context) => {
  const result = {
    body: event.body,
    "content-type": event.headers["content-type"],
    method: event.method,
    path: event.path,
    query: event.query,
  };
  return context.status(200).succeed(result);
};

export default handler;
