import { Cron } from "croner";
import type { InvokerResponse } from "../core/invoker.js";
import {
  cronerOptions,
  isScheduleProblem,
  type ParsedSchedule,
  parseSchedule,
  parseScheduleAllowingSeconds,
  type Schedule,
} from "./schedule.js";

export interface CronLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Hooks for metrics; called after the log line. */
export interface CronEvents {
  /** A run finished: the HTTP status, or "error" when no answer came (status 0, or `invoke` threw). */
  ran?(fn: string, status: number | "error", ms: number): void;
  /** A tick came while the function's previous run was still in progress, so no run was started. */
  skipped?(fn: string): void;
}

export interface CronEntry {
  /** `name` or `name.namespace`, as the topic map has it. */
  readonly fn: string;
  /** The `schedule` annotation as written. */
  readonly schedule: string;
}

export interface CronJobInfo {
  readonly fn: string;
  readonly schedule: string;
  /** When it runs next; null only for a schedule croner can no longer place (past year 3000). */
  readonly next: Date | null;
}

export interface CronSchedulerOptions {
  /** Runs the function once; expected never to throw (the invoker answers status 0 instead), but may. */
  readonly invoke: (fn: string) => Promise<InvokerResponse>;
  readonly logger: CronLogger;
  readonly events?: CronEvents;
  /** Tests only: accept six-field (seconds) expressions so a test can tick every second. */
  readonly secondsForTests?: boolean;
}

export interface CronScheduler {
  /** Makes the scheduled set equal to `entries` (the topic map after a refresh); unchanged jobs keep their timers. */
  sync(entries: ReadonlyArray<CronEntry>): void;
  /** The jobs now scheduled, in the order they were added. */
  jobs(): CronJobInfo[];
  /** Stops every timer and resolves once the runs in progress have finished. Later `sync` calls do nothing. */
  stop(): Promise<void>;
}

interface Job {
  readonly fn: string;
  readonly schedule: string;
  readonly timer: Cron;
}

/**
 * The cron-connector's scheduler, on croner's timers. A job's identity is (function, schedule text), as in
 * OpenFaaS's cron-connector, so a changed schedule is a removal and an addition.
 *
 * Runs do not overlap per function: a tick that finds the function's previous run still going starts nothing
 * (logged, `events.skipped`). The guard is ours rather than croner's `protect` because it must hold across job
 * objects: when a schedule changes, the new job must not start while the old job's run is still in flight.
 * Nothing is persisted, so ticks missed while the process was down are not replayed.
 */
export function createCronScheduler(options: CronSchedulerOptions): CronScheduler {
  const { invoke, logger, events = {} } = options;
  const parse: (text: string) => ParsedSchedule = options.secondsForTests
    ? parseScheduleAllowingSeconds
    : parseSchedule;
  const jobs = new Map<string, Job>();
  /** The run in progress per function. */
  const running = new Map<string, Promise<void>>();
  /** Invalid (function, schedule) pairs already warned about, so a refresh every few seconds does not repeat it. */
  const warned = new Set<string>();
  let stopped = false;

  const tick = (fn: string, schedule: string): void => {
    if (stopped) return;
    if (running.has(fn)) {
      logger.warn(`Skipped: ${fn} [${schedule}] (the previous run is still in progress)`, { fn, schedule });
      notify(() => events.skipped?.(fn));
      return;
    }
    const run = runOnce(fn, schedule)
      // Only a throwing logger gets here; stop() must still be able to wait for this run.
      .catch(() => undefined)
      .finally(() => running.delete(fn));
    running.set(fn, run);
  };

  const runOnce = async (fn: string, schedule: string): Promise<void> => {
    logger.info(`Invoking: ${fn} [${schedule}]`, { fn, schedule });
    const started = performance.now();
    let status: number | "error";
    let error: string | undefined;
    try {
      const response = await invoke(fn);
      status = response.status === 0 || response.error ? "error" : response.status;
      error = response.error?.message;
    } catch (thrown) {
      status = "error";
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const ms = Math.round(performance.now() - started);
    const line = `Response: ${fn} [${status}] (${ms}ms)`;
    if (status === "error") {
      logger.warn(error ? `${line}: ${error}` : line, { fn, schedule, status, ms, ...(error ? { error } : {}) });
    } else {
      logger.info(line, { fn, schedule, status, ms });
    }
    notify(() => events.ran?.(fn, status, ms));
  };

  /** A metrics hook that throws must not break the scheduler. */
  const notify = (call: () => void): void => {
    try {
      call();
    } catch (thrown) {
      logger.warn("A cron event hook failed", { error: thrown instanceof Error ? thrown.message : String(thrown) });
    }
  };

  const start = (fn: string, schedule: string, parsed: Schedule): Job => {
    const onTick = () => tick(fn, schedule);
    const catchError = (thrown: unknown) =>
      logger.warn(`Tick failed: ${fn} [${schedule}]`, {
        fn,
        schedule,
        error: thrown instanceof Error ? thrown.message : String(thrown),
      });
    const timer =
      parsed.everySeconds === undefined
        ? new Cron(parsed.expression, { ...cronerOptions(parsed), catch: catchError }, onTick)
        : // `@every`: a tick every second thinned out by croner's `interval`, first run one delay after adding (as
          // robfig). `startAt` on a whole second, because croner's interval grid drifts from a fractional start.
          new Cron(
            "* * * * * *",
            {
              interval: parsed.everySeconds,
              startAt: new Date(Math.ceil((Date.now() + parsed.everySeconds * 1000) / 1000) * 1000),
              catch: catchError,
            },
            onTick,
          );
    return { fn, schedule, timer };
  };

  return {
    sync(entries) {
      if (stopped) return;
      const wanted = new Map<string, CronEntry>();
      for (const entry of entries) wanted.set(identity(entry), entry);

      for (const [key, job] of jobs) {
        if (wanted.has(key)) continue;
        job.timer.stop();
        jobs.delete(key);
        logger.info(`Removed: ${job.fn} [${job.schedule}]`, { fn: job.fn, schedule: job.schedule });
      }
      for (const [key, { fn, schedule }] of wanted) {
        if (jobs.has(key)) continue;
        const parsed = parse(schedule);
        if (isScheduleProblem(parsed)) {
          if (!warned.has(key)) {
            warned.add(key);
            logger.warn(`Not scheduled: ${fn} [${schedule}]: ${parsed.problem}`, {
              fn,
              schedule,
              problem: parsed.problem,
            });
          }
          continue;
        }
        jobs.set(key, start(fn, schedule, parsed));
        logger.info(`Added: ${fn} [${schedule}]`, { fn, schedule });
      }
      // A bad schedule that goes away and comes back is worth one more warning; this also bounds the set.
      for (const key of warned) if (!wanted.has(key)) warned.delete(key);
    },

    jobs() {
      return [...jobs.values()].map(({ fn, schedule, timer }) => ({ fn, schedule, next: timer.nextRun() }));
    },

    async stop() {
      stopped = true;
      for (const job of jobs.values()) job.timer.stop();
      jobs.clear();
      await Promise.all(running.values());
    },
  };
}

function identity(entry: CronEntry): string {
  // NUL cannot occur in a function name, so the pair cannot collide with another pair.
  return `${entry.fn}\u0000${entry.schedule}`;
}
