// /3/ModelBuilders, /3/Models, /3/Predictions, /3/ModelMetrics (engineer C's area; registered by app.ts).

import type { Hono } from "hono";
import type { H2OContext } from "../context.ts";

export function register(_app: Hono, _ctx: H2OContext): void {}
