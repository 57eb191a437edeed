// Progress lines for long work (a Qwen3-14B checkpoint is 29.5 GB of weights plus 59 GB of
// optimizer state per rank; a step's 48 rollouts take minutes): (done, total) callbacks that log at
// most every `everyMs` and once at the end.

type Progress = (done: number, total: number) => void;

function throttled(log: (line: string) => void, everyMs: number, line: (done: number, total: number, seconds: number, end: boolean) => string): Progress {
  const t0 = performance.now();
  let last = t0;
  return (done, total) => {
    const now = performance.now();
    const end = done >= total;
    if (!end && now - last < everyMs) return;
    last = now;
    log(line(done, total, (now - t0) / 1000, end));
  };
}

/** "29.5 GB", "117.1 MB" (decimal units, as disk and memory sizes are quoted here). */
export const formatBytes = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${(b / 1e6).toFixed(1)} MB`);

export function byteProgress(label: string, log: (line: string) => void, everyMs = 10_000): Progress {
  const gb = formatBytes;
  return throttled(log, everyMs, (done, total, s, end) => `${label}: ${gb(done)} of ${gb(total)}${end ? ` in ${s.toFixed(1)} s (${(done / 1e9 / Math.max(s, 1e-9)).toFixed(2)} GB/s)` : ` (${Math.round((100 * done) / total)}%)`}`);
}

/** Counts of `what` (e.g. "rollouts"); the end line is left to the caller's own summary. */
export function countProgress(label: string, what: string, log: (line: string) => void, everyMs = 30_000): Progress {
  const quiet = (): void => {};
  const p = throttled(log, everyMs, (done, total, s) => `${label}: ${done}/${total} ${what} done (${s.toFixed(0)} s)`);
  return (done, total) => (done >= total ? quiet() : p(done, total));
}

/** "1 row", "3 rows". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "42 s", "3 min 05 s", "2 h 07 min": durations in progress lines. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
