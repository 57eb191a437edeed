// The procedural dataset: a seeded plan (which persona cell and planted weakness each row gets,
// balanced per split) and the rows written from it. Every row draws from its own forked stream,
// keyed by seed and row id, so the output is a pure function of (seed, split sizes).
import { checkRow, describeIssue } from './check.js';
import { ROLES } from './catalog/roles.js';
import { VERTICALS } from './catalog/verticals.js';
import { generateJd } from './jd.js';
import { personaRecord, samplePersona, SENIORITY, type PersonaContext } from './persona.js';
import { generateResume } from './resume.js';
import { Rng } from '../io/rng.js';
import { DataRow, WEAKNESS_TYPES, type Weakness } from './schema.js';

/** The seed of the shipped data/train.jsonl and data/eval.jsonl. */
export const DEFAULT_SEED = '42';
export const DEFAULT_SPLITS = { train: 160, eval: 40 } as const;
export type Split = 'train' | 'eval';
export interface SplitSizes {
  train: number;
  eval: number;
}

export interface RowPlan {
  id: string;
  split: Split;
  weakness: Weakness;
  roleIndex: number;
  level: number;
  verticalIndex: number;
}

/** Rows per weakness in a split of n rows: floor(n/6) each, plus one for n % 6 types. Train gives
 *  the extras to the first types in WEAKNESS_TYPES order, eval to the last ones, so the two splits
 *  together stay as even as possible (160/40: train 27,27,27,27,26,26; eval 6,6,7,7,7,7). */
export function weaknessCounts(n: number, split: Split): Record<Weakness, number> {
  const k = WEAKNESS_TYPES.length;
  const base = Math.floor(n / k);
  const extra = n % k;
  const out = {} as Record<Weakness, number>;
  WEAKNESS_TYPES.forEach((w, i) => {
    const gets = split === 'train' ? i < extra : i >= k - extra;
    out[w] = base + (gets ? 1 : 0);
  });
  return out;
}

/** n values over 0..k-1, each used floor(n/k) or ceil(n/k) times, in random order. */
function balanced(n: number, k: number, r: Rng): number[] {
  const perm = r.shuffle(Array.from({ length: k }, (_, i) => i));
  return r.shuffle(Array.from({ length: n }, (_, i) => perm[i % k] as number));
}

/** n (role, level) cells: whole shuffled passes over all 19 x 6 cells, then a remainder with
 *  balanced roles and levels and (when possible) no repeated cell. So each split covers as many
 *  cells as its size allows and its role and level counts differ by at most one. */
function balancedCells(n: number, r: Rng): [number, number][] {
  const nr = ROLES.length;
  const nl = SENIORITY.length;
  const all: [number, number][] = [];
  for (let i = 0; i < nr; i++) for (let j = 0; j < nl; j++) all.push([i, j]);
  const out: [number, number][] = [];
  while (n - out.length >= all.length) out.push(...r.shuffle(all.slice()));
  const k = n - out.length;
  if (k > 0) {
    const roles = balanced(k, nr, r);
    let best: number[] = [];
    let bestDup = Infinity;
    for (let t = 0; t < 64 && bestDup > 0; t++) {
      const levels = balanced(k, nl, r);
      const dup = k - new Set(roles.map((ro, i) => ro * nl + (levels[i] as number))).size;
      if (dup < bestDup) {
        bestDup = dup;
        best = levels;
      }
    }
    roles.forEach((ro, i) => out.push([ro, best[i] as number]));
  }
  return r.shuffle(out);
}

/** The row plan: per split, balanced weaknesses (weaknessCounts), roles, levels and verticals. */
export function planDataset(seed: string, sizes: SplitSizes = DEFAULT_SPLITS): RowPlan[] {
  const r = new Rng(seed).fork('plan');
  const plans: RowPlan[] = [];
  for (const split of ['train', 'eval'] as const) {
    const n = sizes[split];
    const counts = weaknessCounts(n, split);
    const weaknesses = r.shuffle(WEAKNESS_TYPES.flatMap((w) => Array.from({ length: counts[w] }, () => w)));
    const cells = balancedCells(n, r);
    const verticals = balanced(n, VERTICALS.length, r);
    weaknesses.forEach((weakness, i) => {
      const [roleIndex, level] = cells[i] as [number, number];
      plans.push({
        id: `${split}-${String(i).padStart(3, '0')}`,
        split,
        weakness,
        roleIndex,
        level,
        verticalIndex: verticals[i] as number,
      });
    });
  }
  return plans;
}

/** The persona of a planned row (shared by the procedural and the LLM writers). */
export function planPersona(seed: string, plan: RowPlan): PersonaContext {
  const r = new Rng(seed).fork(`row/${plan.id}`);
  return samplePersona(r.fork('persona'), plan.roleIndex, plan.level, plan.verticalIndex, plan.weakness === 'too_long');
}

export function generateRow(seed: string, plan: RowPlan): DataRow {
  const r = new Rng(seed).fork(`row/${plan.id}`);
  const p = planPersona(seed, plan);
  const jd = generateJd(p, r.fork('jd'));
  const res = generateResume(p, plan.weakness, r.fork('resume'));
  const row = DataRow.parse({
    id: plan.id,
    split: plan.split,
    persona: personaRecord(p),
    jd,
    resume: res.text,
    weakness: { type: plan.weakness, description: res.description, lines: res.weakLines },
    stats: { lines: res.layoutLines, bullets: res.bullets, weak_bullets: res.weakBullets },
    source: 'procedural',
  });
  const issues = checkRow(row);
  if (issues.length > 0) {
    throw new Error(`generated row ${plan.id} is inconsistent: ${issues.map(describeIssue).join('; ')}`);
  }
  return row;
}

export interface Dataset {
  train: DataRow[];
  eval: DataRow[];
}

export function generateDataset(seed: string = DEFAULT_SEED, sizes: SplitSizes = DEFAULT_SPLITS): Dataset {
  const out: Dataset = { train: [], eval: [] };
  for (const plan of planDataset(seed, sizes)) out[plan.split].push(generateRow(seed, plan));
  return out;
}

/** One JSON object per line, newline-terminated: the on-disk form of a split. */
export function toJsonl(rows: readonly DataRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
}
