// The bearer-token check must not tell a guess's length apart from its content: every
// guess, whatever its length, goes through one constant-time comparison of two values of
// one fixed length (digests), so timing shows neither where a guess differs nor how long
// the token is.

import { afterEach, expect, spyOn, test } from "bun:test";
import * as crypto from "node:crypto";
import { bearerAuth } from "../../src/server/auth.ts";

const TOKEN = "the-right-token-0123";

/** Runs the middleware on a request with this Authorization header; true when it let it through. */
async function passes(authorization: string): Promise<boolean> {
  const c = { req: { path: "/api/v1/frames", header: (name: string) => (name === "authorization" ? authorization : undefined) } };
  let through = false;
  try {
    await bearerAuth(TOKEN, [])(c as never, async () => void (through = true));
  } catch {}
  return through;
}

let spy: ReturnType<typeof spyOn<typeof crypto, "timingSafeEqual">> | null = null;
afterEach(() => spy?.mockRestore());

test("every guess, short, long or right, is compared in constant time over equal fixed-length values", async () => {
  spy = spyOn(crypto, "timingSafeEqual");
  const guesses = ["x", "the-right-token-012", TOKEN, `${TOKEN}-and-more`, "z".repeat(500)];
  const verdicts = [];
  for (const guess of guesses) verdicts.push(await passes(`Bearer ${guess}`));
  expect(verdicts).toEqual([false, false, true, false, false]);
  const lengths = spy.mock.calls.map(([a, b]) => [(a as Uint8Array).byteLength, (b as Uint8Array).byteLength]);
  expect(lengths.length).toBe(guesses.length);
  const first = lengths[0][0];
  expect(first).toBeGreaterThanOrEqual(32);
  expect(lengths).toEqual(guesses.map(() => [first, first]));
});

test("a missing header or scheme is refused", async () => {
  expect(await passes("")).toBe(false);
  expect(await passes(TOKEN)).toBe(false);
  expect(await passes(`bearer ${TOKEN}`)).toBe(true);
});
