import { type FunctionListOptions, listFunctions } from "./function-list.js";
import { TopicMap } from "./topic-map.js";

export interface ControllerLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface ControllerOptions extends FunctionListOptions {
  readonly rebuildIntervalMs: number;
  readonly staticFilters?: readonly string[];
  readonly logger: ControllerLogger;
  /** Called with each new map once it replaced the old one (subscriptions and schedules follow it). */
  readonly onMap: (map: TopicMap) => void | Promise<void>;
  /** For tests: how functions are listed. */
  readonly list?: typeof listFunctions;
}

/**
 * connector-sdk's controller loop: builds the topic map at once and then every `rebuild_interval`. A failed
 * refresh is logged and the last good map stays (connector-sdk exits the process instead). Until a first map is
 * built, `ready` is false and the first build is retried at the same interval.
 */
export class Controller {
  private map: TopicMap = TopicMap.empty();
  private built = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastProblems = "";
  private lastError = "";

  constructor(private readonly options: ControllerOptions) {}

  get ready(): boolean {
    return this.built;
  }

  get topicMap(): TopicMap {
    return this.map;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One refresh: list, build, replace; never throws. */
  async refresh(): Promise<void> {
    const list = this.options.list ?? listFunctions;
    let next: TopicMap;
    try {
      next = TopicMap.build(await list(this.options), this.options.staticFilters);
    } catch (error) {
      const message = (error as Error).message;
      // Once per distinct error: a gateway down for an hour should not fill the log.
      if (message !== this.lastError) {
        this.options.logger.warn(`cannot refresh the function list; keeping the last one: ${message}`);
        this.lastError = message;
      }
      return;
    }
    this.lastError = "";
    const problems = next.problems.join("\n");
    if (problems && problems !== this.lastProblems) this.options.logger.warn(`ignoring invalid topics:\n${problems}`);
    this.lastProblems = problems;
    this.map = next;
    this.built = true;
    try {
      await this.options.onMap(next);
    } catch (error) {
      this.options.logger.warn(`applying the new function list failed: ${(error as Error).message}`);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.refresh();
      this.schedule();
    }, this.options.rebuildIntervalMs);
    this.timer.unref();
  }
}
