// The progress bar of long CLI work: drawn on stderr when stderr is a terminal, and
// nothing at all otherwise (pipes and logs stay clean).

import { SingleBar } from "cli-progress";

export interface Progress {
  update(fraction: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/** A bar labelled `label`, shown only after `delayMs` so quick work draws nothing. */
export function progressBar(label: string, delayMs = 300): Progress {
  if (!process.stderr.isTTY) return silent;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {duration_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30,
  });
  const startAt = Date.now() + delayMs;
  let started = false;
  let last = 0;
  return {
    update(fraction) {
      last = Math.round(fraction * 1000) / 10;
      if (!started && Date.now() >= startAt) {
        bar.start(100, last);
        started = true;
      } else if (started) bar.update(last);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
