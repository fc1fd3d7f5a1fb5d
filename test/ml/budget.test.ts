// A time budget on a manual clock: its signal aborts when the clock passes the deadline, not
// before; a share of it ends with it or sooner; a cancel is told apart from the deadline.

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/core/clock.ts";
import { Budget } from "../../src/ml/budget.ts";

test("the deadline passes when the clock does, whatever the wall clock says", () => {
  const clock = new ManualClock(1_000);
  const budget = new Budget(500, undefined, clock);
  expect(budget.started).toBe(1_000);
  clock.advance(499);
  expect(budget.signal.aborted).toBe(false);
  expect(budget.left).toBe(1);
  clock.advance(1);
  expect(budget.expired).toBe(true);
  expect(budget.left).toBe(0);
  budget.close();
});

test("a share ends at its own deadline or its parent's, on the parent's clock", () => {
  const clock = new ManualClock();
  const whole = new Budget(1_000, undefined, clock);
  const part = whole.share(300);
  const rest = whole.share(Number.POSITIVE_INFINITY);
  clock.advance(300);
  expect([part.expired, rest.signal.aborted, whole.signal.aborted]).toEqual([true, false, false]);
  expect(rest.left).toBe(700);
  clock.advance(700);
  expect([rest.signal.aborted, whole.expired]).toEqual([true, true]);
  for (const b of [part, rest, whole]) b.close();
});

test("a cancel aborts the budget and is not the deadline; a closed budget's deadline does nothing", () => {
  const clock = new ManualClock();
  const user = new AbortController();
  const cancelled = new Budget(1_000, user.signal, clock);
  user.abort();
  expect([cancelled.signal.aborted, cancelled.cancelled, cancelled.expired]).toEqual([true, true, false]);
  cancelled.close();
  const closed = new Budget(100, undefined, clock);
  closed.close();
  clock.advance(200);
  expect(closed.signal.aborted).toBe(false);
});
