// The web UI's files (the page, its script and stylesheet) with the security headers the
// page needs. Bun bundles an HTML import only when it serves it as a route, and a route
// cannot add headers; so the bundle is served once by a private server on a Unix socket in
// a temporary directory, read into memory, and served from there by floe with its headers.
// Built once per process, on the first request for the UI.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FloeError } from "../core/errors.ts";
import ui from "./ui/index.html";

/**
 * Only the bundle's own files; no inline script or style (Preact and Chart.js set styles
 * through the DOM, which CSP allows); the favicon is a data: URL; downloads are blob: URLs.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

interface UiFile {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
}

let built: Promise<Map<string, UiFile>> | null = null;

async function build(): Promise<Map<string, UiFile>> {
  const dir = mkdtempSync(join(tmpdir(), "floe-ui-"));
  const unix = join(dir, "ui.sock");
  const server = Bun.serve({ unix, development: false, routes: { "/": ui }, fetch: () => new Response("not found", { status: 404 }) });
  try {
    const read = async (path: string) => {
      const res = await fetch(`http://localhost${path}`, { unix } as RequestInit);
      if (!res.ok) throw new FloeError("internal", `the web UI's ${path} could not be built (${res.status})`);
      return { body: new Uint8Array(await res.arrayBuffer()), type: res.headers.get("content-type") ?? "application/octet-stream" };
    };
    const files = new Map<string, UiFile>();
    const page = await read("/");
    files.set("/", {
      body: page.body,
      headers: { "Content-Type": page.type, "Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY, "X-Frame-Options": "DENY" },
    });
    // The bundle's own files are the absolute paths the page names (hashed, so cached for good).
    for (const [, path] of new TextDecoder().decode(page.body).matchAll(/(?:src|href)="(\/[^"/][^"]*)"/g)) {
      const asset = await read(path);
      files.set(path, { body: asset.body, headers: { "Content-Type": asset.type, "Cache-Control": "public, max-age=31536000, immutable" } });
    }
    return files;
  } finally {
    await server.stop(true);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The UI's file at `path` with its headers (nosniff is added for every answer by the server), or null when the UI has none. */
export async function uiResponse(path: string): Promise<Response | null> {
  built ??= build().catch((err) => {
    built = null;
    throw err;
  });
  const file = (await built).get(path);
  return file ? new Response(file.body, { headers: file.headers }) : null;
}
