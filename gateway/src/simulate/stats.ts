import { MESSAGE_KINDS, type MessageKind } from "./scenario.js";

/** A long list of stores would bury the line; the first ones show the spread well enough. */
const MAX_STORES_SHOWN = 12;

/** Counts what the broker accepted, by kind and by store, for the periodic summary line. */
export class SimulationStats {
  readonly #byKind = new Map<MessageKind, number>(MESSAGE_KINDS.map((kind) => [kind, 0]));
  readonly #byStore = new Map<string, number>();
  #sent = 0;
  #failed = 0;

  record(message: { readonly kind: MessageKind; readonly store: string }): void {
    this.#sent++;
    this.#byKind.set(message.kind, (this.#byKind.get(message.kind) ?? 0) + 1);
    this.#byStore.set(message.store, (this.#byStore.get(message.store) ?? 0) + 1);
  }

  recordFailure(): void {
    this.#failed++;
  }

  get sent(): number {
    return this.#sent;
  }

  get failed(): number {
    return this.#failed;
  }

  count(kind: MessageKind): number {
    return this.#byKind.get(kind) ?? 0;
  }

  /** `simulate: 120 sent in 60.0s — reading 70, warm 7, … — store001 40, store002 40, …` */
  summaryLine(elapsedMs: number): string {
    const kinds = MESSAGE_KINDS.map((kind) => `${kind} ${this.count(kind)}`).join(", ");
    const stores = [...this.#byStore.entries()].sort(([a], [b]) => a.localeCompare(b));
    const shown = stores.slice(0, MAX_STORES_SHOWN).map(([store, count]) => `${store} ${count}`);
    if (stores.length > MAX_STORES_SHOWN) shown.push(`… ${stores.length - MAX_STORES_SHOWN} more stores`);
    const failed = this.#failed > 0 ? `, ${this.#failed} failed` : "";
    const perStore = shown.length > 0 ? ` — ${shown.join(", ")}` : "";
    return `simulate: ${this.#sent} sent${failed} in ${(elapsedMs / 1000).toFixed(1)}s — ${kinds}${perStore}`;
  }
}
