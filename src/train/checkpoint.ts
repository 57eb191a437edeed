// A run's checkpoints on disk: <out>/checkpoints/step-N/{model,optimizer}, and latest.json naming
// the newest complete one (written atomically after it, so a crash mid-save resumes from the one
// before). A run restarts from latest.json when it exists: same data order, same seeds, same weights.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic.js';

const Latest = z.object({ step: z.number().int().positive(), dir: z.string() });

/** Where a run starts: step 1 from the configured model, or after the latest checkpoint. */
export interface ResumePoint {
  startStep: number;
  modelDir: string;
  /** The checkpoint's optimizer state; null for a fresh run. */
  optimizerDir: string | null;
}

export function resumePoint(out: string, baseModel: string, log: (s: string) => void): ResumePoint {
  const latestPath = join(out, 'latest.json');
  if (!existsSync(latestPath)) return { startStep: 1, modelDir: baseModel, optimizerDir: null };
  const latest = Latest.parse(JSON.parse(readFileSync(latestPath, 'utf8')));
  log(`resuming after step ${latest.step} from ${join(out, latest.dir)}`);
  return { startStep: latest.step + 1, modelDir: join(out, latest.dir, 'model'), optimizerDir: join(out, latest.dir, 'optimizer') };
}

/** Points latest.json at checkpoint `dir` (relative to `out`) of `step`, once it is complete. */
export async function markLatest(out: string, step: number, dir: string): Promise<void> {
  await writeFileAtomic(join(out, 'latest.json'), JSON.stringify({ step, dir }) + '\n');
}

/** The checkpoint directory of `step`, relative to the run directory. */
export const checkpointDir = (step: number): string => join('checkpoints', `step-${String(step).padStart(6, '0')}`);

/** After a new checkpoint is in latest.json: removes all but the newest `keep` checkpoints (0: keep
 *  all) and the optimizer state of all but the newest `keepOptimizer` (a Qwen3-14B checkpoint is
 *  29.5 GB of model and 3 x 59 GB of optimizer state; only the latest state is needed to resume). */
export function pruneCheckpoints(dir: string, keep: number, keepOptimizer: number, log: (s: string) => void = () => {}): void {
  const steps = readdirSync(dir).filter((d) => /^step-\d+$/.test(d)).sort(); // zero-padded: sorts by step
  steps.forEach((d, i) => {
    const age = steps.length - 1 - i; // 0 = newest
    if (keep > 0 && age >= keep) {
      rmSync(join(dir, d), { recursive: true, force: true });
      log(`removed checkpoint ${join(dir, d)} (keepCheckpoints ${keep})`);
    } else if (keepOptimizer > 0 && age >= keepOptimizer && existsSync(join(dir, d, 'optimizer'))) {
      rmSync(join(dir, d, 'optimizer'), { recursive: true, force: true });
      log(`removed the optimizer state of ${join(dir, d)} (keepOptimizerStates ${keepOptimizer})`);
    }
  });
}
