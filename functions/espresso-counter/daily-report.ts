import type { FunctionEvent } from "@coffee-edge/node18-typescript";
import { queryValue } from "@coffee-edge/node18-typescript/request";
import type { Queryable } from "@coffee-edge/node18-typescript/store";
import { createValidator, type FromSchema } from "@coffee-edge/node18-typescript/validation";
import { localDate } from "./local-date.js";
import { storeCounts } from "./shot-counts.js";
import { ID_PATTERN } from "./topic.js";
import { type UsageStatus, usageStatus } from "./usage-status.js";

const reportQuerySchema = {
  type: "object",
  additionalProperties: false,
  required: ["store"],
  properties: {
    store: { type: "string", maxLength: 64, pattern: ID_PATTERN },
    date: { type: "string", format: "date", maxLength: 10 },
  },
} as const;

const reportQuery = createValidator(reportQuerySchema);

export type ReportQuery = FromSchema<typeof reportQuerySchema>;

export interface DailyReport {
  readonly store: string;
  readonly date: string;
  readonly machines: Array<{ machine: string; count: number; threshold: number; status: UsageStatus }>;
}

/** Reads `?store=…[&date=YYYY-MM-DD]`, or throws a 400 problem pointing at the bad parameter. */
export function readReportQuery(event: Pick<FunctionEvent, "query">): ReportQuery {
  // Only the parameters we know are read; others (a cache-buster, say) are ignored, as on most GET APIs.
  const date = queryValue(event, "date");
  return reportQuery.parse({ store: queryValue(event, "store"), ...(date === undefined ? {} : { date }) });
}

/** One store's machines on a local day (today in STORE_TIMEZONE by default). */
export async function dailyReport(
  db: Queryable,
  query: ReportQuery,
  settings: { threshold: number; timeZone: string; now: Date },
): Promise<DailyReport> {
  const day = query.date ?? localDate(settings.now, settings.timeZone);
  const counts = await storeCounts(db, query.store, day);
  return {
    store: query.store,
    date: day,
    machines: counts.map(({ machine, count }) => ({
      machine,
      count,
      threshold: settings.threshold,
      status: usageStatus(count, settings.threshold),
    })),
  };
}
