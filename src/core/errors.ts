// The one error type of floe. Thrown where the input is understood, carrying a code
// and a message that names the file, line, column or parameter at fault; the CLI turns
// it into one line and an exit code, the server into an HTTP status.

export type ErrorCode =
  | "bad_input" // the data itself is malformed: ragged rows, bad encoding, empty file
  | "invalid_argument" // a flag or parameter has a value we cannot use
  | "not_found" // a file, column, frame, model or job that does not exist
  | "unsupported" // a valid request floe does not handle (yet)
  | "cancelled" // a job was cancelled by the user
  | "unauthorized" // a request without the server's token
  | "forbidden" // a request for something outside what the server allows (a path outside --data-root)
  | "conflict" // a request that clashes with the current state (an id already taken)
  | "too_large" // an upload over the server's limit
  | "unavailable" // another node of the cluster did not answer (down, partitioned, too slow)
  | "internal"; // a bug in floe

/** The HTTP status each code answers with, at the REST API and between cluster nodes. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  cancelled: 409,
  too_large: 413,
  unsupported: 422,
  internal: 500,
  unavailable: 503,
};

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === "string" && Object.hasOwn(HTTP_STATUS, s);
}

/** The code of an error answer that carries none of its own: the first code of its status, else internal. */
export function codeOfStatus(status: number): ErrorCode {
  const found = Object.entries(HTTP_STATUS).find(([, st]) => st === status);
  return found ? (found[0] as ErrorCode) : "internal";
}

export class FloeError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "FloeError";
    this.code = code;
    this.details = details;
  }
}

/** Any thrown value as a FloeError; unknown errors become `internal` with their message. */
export function asFloeError(err: unknown): FloeError {
  if (err instanceof FloeError) return err;
  if (err instanceof Error) return new FloeError("internal", err.message);
  return new FloeError("internal", String(err));
}

/** A FloeError rebuilt on the far side of a worker or RPC boundary. */
export function errorFromWire(wire: { code: ErrorCode; message: string }): FloeError {
  return new FloeError(wire.code, wire.message);
}

export function errorToWire(err: unknown): { code: ErrorCode; message: string } {
  const e = asFloeError(err);
  return { code: e.code, message: e.message };
}
