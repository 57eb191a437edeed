// Progress lines for long writes and reads (a Qwen3-14B checkpoint is 29.5 GB of weights plus
// 59 GB of optimizer state per rank): a (done, total) callback that logs at most every `everyMs`
// and once at the end.

export function byteProgress(label: string, log: (line: string) => void, everyMs = 10_000): (done: number, total: number) => void {
  const t0 = performance.now();
  let last = t0;
  const gb = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${(b / 1e6).toFixed(1)} MB`);
  return (done, total) => {
    const now = performance.now();
    const end = done >= total;
    if (!end && now - last < everyMs) return;
    last = now;
    const s = (now - t0) / 1000;
    log(`${label}: ${gb(done)} of ${gb(total)}${end ? ` in ${s.toFixed(1)} s (${(done / 1e9 / Math.max(s, 1e-9)).toFixed(2)} GB/s)` : ` (${Math.round((100 * done) / total)}%)`}`);
  };
}
