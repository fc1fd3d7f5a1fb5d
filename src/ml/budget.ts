// A time budget for a search (grid or AutoML): a deadline, and a signal that aborts work
// in progress when the deadline passes or the caller cancels. Work cut by the deadline is
// told apart from a user's cancel, so a search can keep what finished and end cleanly.

import { type Clock, systemClock } from "../core/clock.ts";

export class Budget {
  readonly started: number;
  private readonly controller = new AbortController();
  private readonly stopTimer: (() => void) | null;
  private readonly onCancel: () => void;

  /** `ms` of 0 or less, or Infinity: no deadline. */
  constructor(
    readonly ms: number,
    private readonly cancel?: AbortSignal,
    readonly clock: Clock = systemClock,
  ) {
    this.started = clock.now();
    this.stopTimer = ms > 0 && Number.isFinite(ms) ? clock.after(ms, () => this.controller.abort()) : null;
    this.onCancel = () => this.controller.abort();
    cancel?.addEventListener("abort", this.onCancel);
    if (cancel?.aborted) this.controller.abort();
  }

  /** Aborts when the deadline passes or the caller cancels. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.cancel?.aborted ?? false;
  }

  /** True once the deadline has passed (and the caller did not cancel). */
  get expired(): boolean {
    return this.controller.signal.aborted && !this.cancelled;
  }

  /** Milliseconds left (Infinity without a deadline). */
  get left(): number {
    return this.ms > 0 && Number.isFinite(this.ms) ? Math.max(0, this.started + this.ms - this.clock.now()) : Number.POSITIVE_INFINITY;
  }

  /** A budget of at most `ms` within this one (aborted with it); Infinity: what is left. */
  share(ms: number): Budget {
    return new Budget(Math.max(1, Math.min(ms, this.left)), this.signal, this.clock);
  }

  /** Stops the timer and lets go of the caller's signal. */
  close(): void {
    this.stopTimer?.();
    this.cancel?.removeEventListener("abort", this.onCancel);
  }
}
