// The web UI's one way to the REST API: JSON requests, uploads with progress and
// downloads, each sending `Authorization: Bearer <token>` once a token is known. The token
// comes from the URL fragment `#token=...` on first load and is kept in sessionStorage;
// a 401 asks the app (through the handler it registers) to show the token form.

const BASE = "/api/v1";
const TOKEN_KEY = "floe.token";

/** A failed request: the HTTP status and the server's {error:{code,message,details}} body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> | null = null,
  ) {
    super(message);
  }
}

let unauthorized: () => void = () => {};

/** Called on every 401 (the app shows its token form). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

/** Takes `#token=...` out of the URL (into sessionStorage) so it is neither shown nor bookmarked. */
export function takeTokenFromUrl(): void {
  const m = /^#token=([^&]*)/.exec(location.hash);
  if (!m) return;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, "", `${location.pathname}${location.search}#/frames`);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** The token, and the header by which the server knows a request is floe's own (a cross-site form cannot send it). */
function authHeaders(): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { "X-Floe-Client": "1", ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

function errorOf(status: number, statusText: string, body: string): ApiError {
  if (status === 401) unauthorized();
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }).error;
    if (e?.message) return new ApiError(status, e.code ?? "internal", e.message, e.details ?? null);
  } catch {
    // Not the API's JSON error body (a proxy's page, say): fall back to the status line.
  }
  return new ApiError(status, "internal", `${status} ${statusText}`.trim());
}

/** A JSON request to `/api/v1${path}`; resolves with the parsed body, rejects with ApiError. */
export async function api<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = authHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw errorOf(res.status, res.statusText, text);
  return JSON.parse(text) as T;
}

/**
 * POSTs a file's raw bytes to `/api/v1${path}`, reporting the share sent (0..1) as it goes
 * (fetch cannot report upload progress; XMLHttpRequest can).
 */
export function upload<T>(path: string, file: File, onProgress: (sent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", BASE + path);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as T);
      else reject(errorOf(xhr.status, xhr.statusText, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, "internal", `upload of ${file.name} failed: no response from the server`));
    xhr.send(file);
  });
}

/** Fetches `/api/v1${path}` (with the token) and hands it to the browser as a download named `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(BASE + path, { headers: authHeaders() });
  if (!res.ok) throw errorOf(res.status, res.statusText, await res.text());
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The message to show for anything a request rejected with. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
