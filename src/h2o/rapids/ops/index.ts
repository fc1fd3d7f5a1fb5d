// Every Rapids operator floe implements, by the name the client sends.

import type { Operator } from "../value.ts";
import { COLUMN_OPERATORS } from "./columns.ts";
import { EXPLAIN_OPERATORS } from "./explain.ts";
import { GROUP_OPERATORS } from "./groups.ts";
import { KEY_OPERATORS } from "./keys.ts";
import { MATH_OPERATORS } from "./math.ts";
import { REDUCE_OPERATORS } from "./reduce.ts";

export const OPERATORS: Readonly<Record<string, Operator>> = { ...KEY_OPERATORS, ...COLUMN_OPERATORS, ...MATH_OPERATORS, ...REDUCE_OPERATORS, ...GROUP_OPERATORS, ...EXPLAIN_OPERATORS };
