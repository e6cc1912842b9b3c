/**
 * A token bucket per client: `ratePerSecond` messages a second, with a burst of the same size. `delayMs` says how
 * long a message must wait; the broker holds that client's next message for that long, so a flooding client slows
 * itself (its socket stops being read and TCP pushes back) while every other client goes on at full speed.
 */
export class PublishRate {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = ratePerSecond;
    this.last = now();
  }

  /** Takes one token; returns 0 when one was there, else the ms until it will be. */
  delayMs(): number {
    const now = this.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }
}
