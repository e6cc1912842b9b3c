import type { ListedFunction } from "./function-list.js";
import { filterProblem, topicMatches } from "./topic-filter.js";

/** The `topic` entry that asks for the cron connector instead of a message topic. */
export const CRON_TOPIC = "cron-function";

/** One function's wish to be invoked for messages matching `filter`. */
export interface Subscription {
  readonly filter: string;
  readonly fn: string;
}

/**
 * connector-sdk's topic map, with MQTT filters: built from every function's `topic` annotation (a comma list,
 * each entry trimmed, empty ones dropped), replaced whole on each refresh. `cron-function` entries and invalid
 * filters are not MQTT subscriptions (an invalid one is reported in `problems`).
 */
export class TopicMap {
  private constructor(
    private readonly subscriptions: readonly Subscription[],
    private readonly annotationsByFn: ReadonlyMap<string, Readonly<Record<string, string>>>,
    /** `function: problem` lines for filters that cannot be subscribed to. */
    readonly problems: readonly string[],
  ) {}

  static empty(): TopicMap {
    return new TopicMap([], new Map(), []);
  }

  static build(functions: readonly ListedFunction[], staticFilters: readonly string[] = []): TopicMap {
    const subscriptions: Subscription[] = [];
    const problems: string[] = [];
    const annotations = new Map<string, Readonly<Record<string, string>>>();
    for (const { fn, annotations: fnAnnotations } of functions) {
      annotations.set(fn, fnAnnotations);
      for (const filter of topicsOf(fnAnnotations)) {
        if (filter === CRON_TOPIC) continue;
        const problem = filterProblem(filter);
        if (problem) problems.push(`${fn}: topic "${filter}": ${problem}`);
        else subscriptions.push({ filter, fn });
      }
    }
    // A static filter brings messages in; functions still say which of them they want.
    for (const filter of staticFilters) subscriptions.push({ filter, fn: "" });
    return new TopicMap(subscriptions, annotations, problems);
  }

  /** The filters to subscribe to: the union of every function's (and the static ones), each once, sorted. */
  filters(): string[] {
    return [...new Set(this.subscriptions.map((s) => s.filter))].sort();
  }

  /** The functions a message on `topic` goes to, each once (a function may list two filters that both match). */
  match(topic: string): string[] {
    const fns = new Set<string>();
    for (const { filter, fn } of this.subscriptions) if (fn && topicMatches(filter, topic)) fns.add(fn);
    return [...fns];
  }

  annotationsOf(fn: string): Readonly<Record<string, string>> {
    return this.annotationsByFn.get(fn) ?? {};
  }

  /** Functions for the cron connector: `cron-function` among their topics, and their `schedule`. */
  cronEntries(): Array<{ fn: string; schedule: string | undefined }> {
    const entries: Array<{ fn: string; schedule: string | undefined }> = [];
    for (const [fn, annotations] of this.annotationsByFn) {
      if (topicsOf(annotations).includes(CRON_TOPIC)) entries.push({ fn, schedule: annotations.schedule });
    }
    return entries;
  }
}

function topicsOf(annotations: Readonly<Record<string, string>>): string[] {
  return (annotations.topic ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
