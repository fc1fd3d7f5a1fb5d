// POST /99/Rapids: H2O's expression language (engineer B's area; registered by app.ts).

import type { Hono } from "hono";
import type { H2OContext } from "../context.ts";

export function register(_app: Hono, _ctx: H2OContext): void {}
