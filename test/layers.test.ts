// The layer order of src/: every import between folders points down the table below, so no folder
// cycle can form. Imports are read with TypeScript's own scanner (static, `export ... from`,
// type-only and dynamic imports alike; comments ignored) and resolved to folders. Also the size
// rule of src/: no file over MAX_LINES lines but the data tables allowed below.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** src/ folders from the bottom up: a folder imports only from rows below its own (never from a
 *  folder beside it). Two stacks meet at the rollout: the device one (gpu -> ops -> model) and the
 *  task one (data -> reward -> env); neither imports the other. */
const LAYERS: readonly (readonly string[])[] = [
  ['io', 'chart'], // formats both stacks read: safetensors, tokenizer, chat template and tool-call syntax, dtypes, seeded RNG | Vega-Lite look, fonts, SVG/PNG rendering
  ['gpu', 'data'], // Dawn device, tensors, variant choice | the resume dataset and document layout
  ['ops', 'reward'], // kernels and their float64 references | rubrics and judges
  ['model', 'env'], // Qwen3 forward/backward/generation | environments and the episode loop
  ['rollout', 'parallel'], // sampler side of rollouts | worker processes, sharding plans, collectives
  ['rl', 'serve'], // AIPO, token-level rollouts | the OpenAI-compatible sampler server
  ['eval'],
  ['report'],
  ['train'], // the step engine (passes, AdamW, ranks) and the training loop
  ['plan'],
  ['cli'],
  // Kernel variants not in use by default: nothing in src imports them (they plug into
  // src/ops/variant-registry.ts); only bench/, tools/ and tests load them.
  ['ops/experimental'],
];

/** The folder a src-relative path belongs to (its first segment; ops/experimental is its own). */
function folderOf(rel: string): string {
  const parts = rel.split('/');
  if (parts[0] === 'ops' && parts[1] === 'experimental' && parts.length > 2) return 'ops/experimental';
  return parts.length > 1 ? parts[0]! : '.';
}

/** Folder -> imported folder -> 'file -> specifier' lines, from src-relative paths and sources. */
function folderGraph(files: ReadonlyMap<string, string>): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const [rel, text] of files) {
    const from = folderOf(rel);
    const edges = graph.get(from) ?? new Map<string, string[]>();
    graph.set(from, edges);
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!spec.startsWith('.')) continue; // a package
      const target = posix.normalize(posix.join(posix.dirname(rel), spec));
      const to = target.startsWith('../') ? '(outside src)' : folderOf(target);
      if (to === from) continue;
      edges.set(to, [...(edges.get(to) ?? []), `${rel} -> ${spec}`]);
    }
  }
  return graph;
}

/** File -> imported src files (src-relative .ts paths). */
function fileGraph(files: ReadonlyMap<string, string>): Map<string, Map<string, true>> {
  const graph = new Map<string, Map<string, true>>();
  for (const [rel, text] of files) {
    const to = new Map<string, true>();
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (spec.startsWith('.')) to.set(posix.normalize(posix.join(posix.dirname(rel), spec)).replace(/\.js$/, '.ts'), true);
    }
    graph.set(rel, to);
  }
  return graph;
}

/** Every import that does not point to a lower row of `layers`, named by file; folders missing
 *  from the table are reported too. */
function layerViolations(graph: ReadonlyMap<string, ReadonlyMap<string, string[]>>, layers: readonly (readonly string[])[]): string[] {
  const row = new Map(layers.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const out: string[] = [];
  for (const [from, edges] of graph) {
    const r = row.get(from);
    if (r === undefined) {
      out.push(`src/${from}/ is not in the layer table`);
      continue;
    }
    for (const [to, where] of edges) {
      const t = row.get(to);
      if (t === undefined ? to !== '(outside src)' : t < r) continue; // a folder not in the table is reported as such
      out.push(...where.map((w) => `${from} (row ${r}) imports ${to} (row ${t ?? '-'}): ${w}`));
    }
  }
  return out;
}

/** The cycles of a graph (strongly connected components of more than one node), Tarjan's way. */
function cycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The most lines a src/ file may have (issue 10): past it, split it into files named for what
 *  they hold. */
const MAX_LINES = 400;

/** Files exempt from MAX_LINES, as src-relative path prefixes: data tables, not code. */
const LONG_FILES_ALLOWED: readonly string[] = [
  'data/catalog/', // the dataset generator's catalogs: roles, tasks, phrases, people, verticals
];

/** Lines as `wc -l` counts them when the file ends with a newline (a last line without one counts too). */
function lineCount(text: string): number {
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** 'path: N lines' for every file over `max` lines that no allowed prefix covers. */
function oversized(files: ReadonlyMap<string, string>, max: number, allowed: readonly string[]): string[] {
  return [...files]
    .filter(([rel, text]) => lineCount(text) > max && !allowed.some((a) => rel.startsWith(a)))
    .map(([rel, text]) => `src/${rel}: ${lineCount(text)} lines`)
    .sort();
}

const SRC = resolve(dirname(new URL(import.meta.url).pathname), '../src');

function srcFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? srcFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [relative(SRC, join(dir, e.name)).split('\\').join('/')] : [],
  );
}

describe('layers of src/', () => {
  const files = new Map(srcFiles().map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));
  const graph = folderGraph(files);

  it('places every folder once', () => {
    const listed = LAYERS.flat();
    expect(new Set(listed).size, 'a folder listed twice').toBe(listed.length);
    expect([...graph.keys()].filter((f) => !listed.includes(f)), 'folders missing from LAYERS').toEqual([]);
    expect(listed.filter((f) => !graph.has(f)), 'LAYERS names a folder src/ does not have').toEqual([]);
  });

  it('imports point down the table only (no folder cycles)', () => {
    expect(layerViolations(graph, LAYERS)).toEqual([]);
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycles between files either', () => {
    expect(cycles(fileGraph(files))).toEqual([]);
  });
});

describe('file sizes of src/', () => {
  const files = new Map(srcFiles().map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));

  it(`has no file over ${MAX_LINES} lines but the allowed data tables`, () => {
    expect(oversized(files, MAX_LINES, LONG_FILES_ALLOWED)).toEqual([]);
  });

  it('allows only prefixes that still match a file', () => {
    expect(LONG_FILES_ALLOWED.filter((a) => ![...files.keys()].some((f) => f.startsWith(a)))).toEqual([]);
  });

  it('counts lines as wc -l and names an oversized file outside the allow-list', () => {
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb'), lineCount('a\n\nb\n')]).toEqual([0, 1, 1, 2, 3]);
    const synthetic = new Map([
      ['gpu/gpu.ts', 'x\n'.repeat(401)],
      ['gpu/small.ts', 'x\n'.repeat(400)],
      ['data/catalog/roles.ts', 'x\n'.repeat(1000)],
    ]);
    expect(oversized(synthetic, 400, ['data/catalog/'])).toEqual(['src/gpu/gpu.ts: 401 lines']);
    expect(oversized(synthetic, 400, [])).toEqual(['src/data/catalog/roles.ts: 1000 lines', 'src/gpu/gpu.ts: 401 lines']);
  });
});

describe('the layer check itself, on a synthetic tree', () => {
  const tree = (extra: Record<string, string> = {}): Map<string, string> =>
    new Map(
      Object.entries({
        'gpu/gpu.ts': "import { f } from '../io/dtype.js';",
        'ops/matmul.ts': "import type { Gpu } from '../gpu/gpu.js';\n// import { no } from '../model/qwen3.js'; (a comment, not an import)",
        'ops/experimental/v2.ts': "import { linear } from '../matmul.js';",
        'model/qwen3.ts': "import { linear } from '../ops/matmul.js';\nimport { z } from 'zod';",
        'io/dtype.ts': '',
        ...extra,
      }),
    );

  it('passes a tree whose imports point down', () => {
    const g = folderGraph(tree());
    expect(layerViolations(g, LAYERS)).toEqual([]);
    expect(cycles(g)).toEqual([]);
  });

  it('names a planted upward import and the cycle it closes', () => {
    const g = folderGraph(tree({ 'ops/sample.ts': "export type { Sampled } from '../model/qwen3.js';" }));
    expect(layerViolations(g, LAYERS)).toEqual(['ops (row 2) imports model (row 3): ops/sample.ts -> ../model/qwen3.js']);
    expect(cycles(g)).toEqual([['model', 'ops']]);
    const f = fileGraph(tree({ 'ops/matmul.ts': "import { v2 } from './experimental/v2.js';" }));
    expect(cycles(f)).toEqual([['ops/experimental/v2.ts', 'ops/matmul.ts']]);
  });

  it('refuses imports between folders of one row, of experimental kernels (dynamic too), from outside src, and unknown folders', () => {
    const g = folderGraph(
      tree({
        'data/load.ts': "import { x } from '../gpu/gpu.js';",
        'model/generate.ts': "const v = await import('../ops/experimental/v2.js');",
        'newfolder/x.ts': "import { f } from '../io/dtype.js';",
        'io/tokenizer.ts': "import { t } from '../../tools/make-data.js';",
      }),
    );
    expect(layerViolations(g, LAYERS).sort()).toEqual([
      'data (row 1) imports gpu (row 1): data/load.ts -> ../gpu/gpu.js',
      'io (row 0) imports (outside src) (row -): io/tokenizer.ts -> ../../tools/make-data.js',
      'model (row 3) imports ops/experimental (row 11): model/generate.ts -> ../ops/experimental/v2.js',
      'src/newfolder/ is not in the layer table',
    ]);
  });
});
