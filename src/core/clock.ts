// The time that training budgets read: the system's in production; a manual clock in tests,
// so a test of a time budget (max_runtime_secs of a model, a grid or AutoML) makes time pass
// with the work done rather than with the load on the machine.

export interface Clock {
  /** Milliseconds since an origin of the clock's choosing. */
  now(): number;
  /** Calls `fn` once `ms` have passed on this clock; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to, firing what falls due on the way, in order. */
export class ManualClock implements Clock {
  private time: number;
  private readonly pending = new Set<{ readonly at: number; readonly fn: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), fn };
    this.pending.add(timer);
    return () => this.pending.delete(timer);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      // A timer's callback may set another one: look for the next due one each time.
      let next: { readonly at: number; readonly fn: () => void } | null = null;
      for (const t of this.pending) if (t.at <= until && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.pending.delete(next);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = until;
  }
}
