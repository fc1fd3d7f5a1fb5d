// Hooks the pages share: loading something from the API, and following a job until it ends.

import { type Inputs, useEffect, useState } from "preact/hooks";
import { api, messageOf } from "./api.ts";
import type { Job } from "../../api/types.ts";

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

/**
 * GETs `path` now and every `ms` until `done` says the answer is final; null until the first
 * answer. A null path polls nothing.
 */
export function usePolled<T>(path: string | null, ms: number, done: (answer: T) => boolean): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    setError(null);
    if (!path) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const answer = await api<T>("GET", path);
        if (!live) return;
        setData(answer);
        setError(null);
        if (!done(answer)) timer = setTimeout(poll, ms);
      } catch (e) {
        if (live) setError(messageOf(e));
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path]);
  return { data, error };
}

/** Polls GET /jobs/ID every 300 ms until the job ends; null until the first answer. */
export function useJob(jobId: string | null): { job: Job | null; error: string | null } {
  const { data, error } = usePolled<Job>(jobId ? `/jobs/${encodeURIComponent(jobId)}` : null, POLL_MS, finished);
  return { job: data, error };
}
