// The path parameters and query strings of the REST API's routes, which only the server
// reads; the bodies they take and answer with are declared in src/api/schemas.ts.

import { z } from "@hono/zod-openapi";
import { Id, LIMITS } from "../api/schemas.ts";

export const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.\-]+$/)
    .openapi({ param: { name: "id", in: "path" }, example: "iris_1" }),
});

export const NameParam = z.object({
  name: z.string().openapi({ param: { name: "name", in: "path" }, example: "gbm" }),
});

export const RowsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const UploadQuery = z.object({
  frame_id: Id.optional(),
  name: z.string().optional().openapi({ description: "The file name the frame id is made from" }),
  col_types: z.string().optional().openapi({ description: "Column types to force, as name:type,...", example: "species:enum,id:string" }),
  sep: z.string().length(1).optional(),
  header: z.enum(["true", "false"]).optional(),
  na_strings: z
    .string()
    .refine((s) => s.split(",").length <= LIMITS.naStrings, { message: `at most ${LIMITS.naStrings} strings` })
    .optional()
    .openapi({ description: "Comma-separated strings read as missing", example: "NA,." }),
});

export const ModelUploadQuery = z.object({ model_id: Id.optional() });
