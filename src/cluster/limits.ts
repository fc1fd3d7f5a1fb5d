// How large a body each /internal route may receive. Membership and job messages are a few
// KiB; the data routes carry chunks (Arrow IPC of CHUNK_ROWS rows: 512 KiB per numeric
// column), task arguments (a tree model's trees travel with a scoring task), frame
// directories and model files. A body over its route's limit is refused with 413 while it
// streams in, never buffered beyond the limit.

/** Membership, jobs and the small data-layer messages. */
export const INTERNAL_CONTROL_BODY_LIMIT = 1024 ** 2;

/**
 * Chunks, task arguments, frame directories and model files: 1 GiB holds a chunk of
 * CHUNK_ROWS rows with 2,048 numeric columns, and is the most a model file may decompress to.
 */
export const INTERNAL_DATA_BODY_LIMIT = 1024 ** 3;

const DATA_ROUTES: ReadonlySet<string> = new Set(["chunk-put", "map", "rebuild", "frame", "holders", "model", "parse-extract", "parse-copy"]);

/** The most bytes the body of POST /internal/<route> may hold. */
export function internalBodyLimit(route: string): number {
  return DATA_ROUTES.has(route) ? INTERNAL_DATA_BODY_LIMIT : INTERNAL_CONTROL_BODY_LIMIT;
}
