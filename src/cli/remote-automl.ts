// `floe automl --url`: the data uploaded (or, with --sql, queried on the server), the run
// made there as a server job followed with the progress bar, its event log relayed to
// stderr as it grows, and what is printed made by the same report as in-process. The run and
// its models stay on the server (DELETE /api/v1/automl/{id} removes them); the uploaded frame
// does not.

import type { AutoMLInfo, Job } from "../api/types.ts";
import { FloeError } from "../core/errors.ts";
import { deserializeModel } from "../ml/modelfile.ts";
import type { Model } from "../ml/scoring.ts";
import type { IngestFlags } from "./ingest-args.ts";
import { progressBar } from "./progress.ts";
import { remote } from "./remote.ts";
import type { RemoteFlags } from "./remote-args.ts";
import { note, warn } from "./terminal.ts";

export interface RemoteAutoML {
  readonly y: string;
  readonly x: string[] | null;
  readonly params: Record<string, unknown>;
  /** No event log on stderr. */
  readonly quiet: boolean;
  /** Download the leader (for --out). */
  readonly leader: boolean;
}

/** How often the event log is read while the run goes on. */
const EVENTS_EVERY_MS = 500;

/** Runs AutoML on the server; returns the finished run, its job, and its leader when asked for. */
export function remoteAutoML(args: IngestFlags & RemoteFlags & { threads?: string }, req: RemoteAutoML): Promise<{ info: AutoMLInfo; job: Job; leader: Model | null }> {
  return remote(args, async (run) => {
    const { id: frame } = await run.frame(args);
    const started = await run.client.automl.start({ training_frame: frame, response_column: req.y, ...(req.x ? { x: req.x } : {}), params: req.params as Record<string, string | number | boolean> });
    const bar = progressBar("automl");
    let shown = 0;
    const relay = (info: AutoMLInfo) => {
      if (req.quiet || info.events.length <= shown) return;
      bar.stop();
      for (const e of info.events.slice(shown)) (e.level === "warn" ? warn : note)(e.message);
      shown = info.events.length;
    };
    let following = true;
    const follow = (async () => {
      while (following) {
        relay(await run.client.automl.get(started.automl_id));
        await Bun.sleep(EVENTS_EVERY_MS);
      }
    })();
    let job: Job;
    try {
      job = await run.wait(started.job, bar);
    } finally {
      following = false;
      await follow.catch(() => {});
    }
    const info = await run.client.automl.get(started.automl_id);
    relay(info);
    if (!info.leader) throw new FloeError("internal", `AutoML run ${info.automl_id} ended without a leader`);
    const leader = req.leader ? deserializeModel(await run.client.models.download(info.leader), `model ${info.leader} from ${run.client.url}`) : null;
    return { info, job, leader };
  });
}
