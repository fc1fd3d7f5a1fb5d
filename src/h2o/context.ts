// What H2O's routes share: the node (store, jobs, executor), the server they are mounted in
// (its limits, data root, cluster link, shutdown), the H2O release reported to the client,
// and the helpers that map H2O's keys and jobs onto floe's.

import type { Hono } from "hono";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import type { Source } from "../core/source.ts";
import { type Job, jobKey } from "../core/jobs.ts";
import { key } from "../core/store.ts";
import type { FloeNode } from "../runtime.ts";
import type { ServerContext } from "../server/context.ts";
import { type JobView, localJobView, remoteJobView } from "./jobs.ts";
import { floeId } from "./keys.ts";

/** The H2O-3 release whose protocol floe speaks (rel-3.46.0), reported by /3/Cloud unless configured. */
export const DEFAULT_H2O_VERSION = "3.46.0.7";

export class H2OContext {
  readonly node: FloeNode;
  /**
   * Files named by /3/ImportFiles (or uploaded by /3/PostFile) awaiting /3/Parse, by the
   * key handed to the client; `cleanup` removes a temporary copy (a URL's body, an upload).
   */
  readonly rawFiles = new Map<string, RawFile>();

  constructor(
    readonly server: ServerContext,
    readonly version: string,
    /** The source to read for a path the client names, confined to the server's --data-root (handed over by the mounting point). */
    readonly importSource: (path: string) => Source,
  ) {
    this.node = server.node;
  }

  /** The frame an H2O key names, or H2O's 404 naming it. */
  frame(h2oKey: string): Frame {
    const id = floeId(h2oKey, "frame");
    const frame = this.node.store.get(key<Frame>("frame", id));
    if (!frame) throw new FloeError("not_found", `Object '${h2oKey}' not found: no frame of that key`);
    return frame;
  }

  /** A job by id, on this node or (in a cluster) another member; null when none has it. */
  async job(id: string): Promise<JobView | null> {
    const local = this.node.store.get(jobKey(id)) as Job | undefined;
    if (local) return localJobView(local);
    const remote = await this.server.link?.remoteJob(id, 0);
    return remote ? remoteJobView(remote) : null;
  }
}

/** A file imported but not yet parsed (H2O's raw "NFS" or upload key). */
export interface RawFile {
  readonly source: Source & { kind: "file" | "files" };
  /** The file's name, which the parsed frame's key is made from. */
  readonly name: string;
  readonly cleanup?: () => void;
}

/** One area of H2O's routes (cloud, frames, jobs, rapids, models...): registers its handlers. */
export type RouteModule = (app: Hono, ctx: H2OContext) => void;
