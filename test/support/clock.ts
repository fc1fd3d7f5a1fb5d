// Time that passes with the work done, not with the machine's load: an executor whose every
// task moves a manual clock on by a fixed step before it runs, so a time budget tested through
// it ends after the same work on any machine, however loaded.

import { ManualClock } from "../../src/core/clock.ts";
import type { Executor } from "../../src/core/mr.ts";

export interface WorkClock {
  readonly clock: ManualClock;
  /** Runs tasks on the given executor, each one taking `msPerTask` on the clock. */
  readonly executor: Executor;
  /** Tasks run so far. */
  tasks(): number;
}

/** `msByTask`: tasks that take longer than `msPerTask`, by name (work that is heavier than the rest). */
export function workClock(inner: Executor, msPerTask: number, msByTask: Readonly<Record<string, number>> = {}): WorkClock {
  const clock = new ManualClock();
  let tasks = 0;
  const executor: Executor = {
    threads: inner.threads,
    run(task, data, args, opts) {
      tasks++;
      // The task's time passes as it starts: a deadline falling within it cuts it, as it would for real.
      clock.advance(msByTask[task.name] ?? msPerTask);
      return inner.run(task, data, args, opts);
    },
    close: () => inner.close(),
  };
  return { clock, executor, tasks: () => tasks };
}
