// Hooks the pages share: loading something from the API, and following a job until it ends.

import { type Inputs, useEffect, useState } from "preact/hooks";
import { api, messageOf } from "./api.ts";
import type { Job } from "./types.ts";

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | null;
  /** Loads again (after an action changed what was loaded). */
  readonly reload: () => void;
}

/** Runs `load` when `deps` change (or on reload); answers that arrive after a newer load are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: Inputs): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null }>({ data: undefined, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data, error: null }),
      (e: unknown) => current && setState((s) => ({ data: s.data, error: messageOf(e) })),
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure every render; `deps` says when it means something new.
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

/** How often a running job is asked for its progress. */
const POLL_MS = 300;

export const finished = (job: Job) => job.status === "done" || job.status === "failed" || job.status === "cancelled";

/** Polls GET /jobs/ID every 300 ms until the job ends; null until the first answer. */
export function useJob(jobId: string | null): { job: Job | null; error: string | null } {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setJob(null);
    setError(null);
    if (!jobId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const j = await api<Job>("GET", `/jobs/${encodeURIComponent(jobId)}`);
        if (!live) return;
        setJob(j);
        if (!finished(j)) timer = setTimeout(poll, POLL_MS);
      } catch (e) {
        if (live) setError(messageOf(e));
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [jobId]);
  return { job, error };
}
