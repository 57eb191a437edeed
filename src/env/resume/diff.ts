// A small unified-diff generator (the str_replace success reply). Line-based LCS over the part
// between the common prefix and suffix (edits are local, so the quadratic table stays tiny).
// Output follows GNU `diff -u`: `@@ -l,s +l,s @@` hunks, 3 lines of context, ",1" omitted,
// an empty range written as the line before it with ",0", and "\ No newline at end of file".

type Op = { t: ' ' | '-' | '+'; line: string };

/** Lines with their "\n" kept, so a missing final newline is a difference of its own. */
function splitKeep(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const n = am.length;
  const m = bm.length;
  // lcs[i][j] = LCS length of am[i..] and bm[j..], flattened.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, pre).map((line) => ({ t: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ t: ' ', line: am[i++]! });
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
      ops.push({ t: '-', line: am[i++]! }); // deletions first, as diff prints them
    } else {
      ops.push({ t: '+', line: bm[j++]! });
    }
  }
  for (const line of a.slice(a.length - suf)) ops.push({ t: ' ', line });
  return ops;
}

function range(start0: number, len: number): string {
  if (len === 0) return `${start0},0`;
  if (len === 1) return `${start0 + 1}`;
  return `${start0 + 1},${len}`;
}

/**
 * Unified diff of `before` -> `after`, or '' when they are equal. No trailing newline.
 * `name` gives the `--- a/<name>` / `+++ b/<name>` headers.
 */
export function unifiedDiff(before: string, after: string, name = 'resume.md', context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitKeep(before), splitKeep(after));
  // Positions in a and b before each op.
  const aPos: number[] = [];
  const bPos: number[] = [];
  let ap = 0;
  let bp = 0;
  for (const op of ops) {
    aPos.push(ap);
    bPos.push(bp);
    if (op.t !== '+') ap++;
    if (op.t !== '-') bp++;
  }
  const changes = ops.flatMap((op, k) => (op.t === ' ' ? [] : [k]));
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let c = 0;
  while (c < changes.length) {
    let last = changes[c]!;
    let d = c + 1;
    // Merge changes whose unchanged gap fits in the two contexts.
    while (d < changes.length && changes[d]! - last - 1 <= 2 * context) last = changes[d++]!;
    const s = Math.max(0, changes[c]! - context);
    const e = Math.min(ops.length, last + 1 + context);
    const slice = ops.slice(s, e);
    const aLen = slice.filter((o) => o.t !== '+').length;
    const bLen = slice.filter((o) => o.t !== '-').length;
    out.push(`@@ -${range(aPos[s]!, aLen)} +${range(bPos[s]!, bLen)} @@`);
    for (const op of slice) {
      if (op.line.endsWith('\n')) out.push(op.t + op.line.slice(0, -1));
      else out.push(op.t + op.line, '\\ No newline at end of file');
    }
    c = d;
  }
  return out.join('\n');
}
