// H2O's frame routes: import, upload and parse, frames and their summaries, download,
// export and delete.

import type { Hono } from "hono";
import type { H2OContext } from "../context.ts";

export function register(_app: Hono, _ctx: H2OContext): void {}
