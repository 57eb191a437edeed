// The environment a run's config selects (`env.kind`), built with what it needs.
import { z } from 'zod';
import type { Judge } from '../reward/verdict.js';
import type { AnyEnvironment } from './environment.js';
import { ResumeEnvironment } from './resume/episode.js';
import { ReverseTextConfig, ReverseTextEnvironment } from './reverse/reverse-text.js';

export const EnvConfig = z.discriminatedUnion('kind', [
  /** The resume task (shared/spec/resume-task.md): rows from data.train / eval.data, the judge. */
  z.object({ kind: z.literal('resume') }),
  ReverseTextConfig,
]);
export type EnvConfig = z.infer<typeof EnvConfig>;

export function makeEnvironment(cfg: EnvConfig, o: { judge: Judge; train?: string; eval?: string }): AnyEnvironment {
  switch (cfg.kind) {
    case 'resume':
      return new ResumeEnvironment(o.judge, { train: o.train, eval: o.eval });
    case 'reverse-text':
      return new ReverseTextEnvironment(cfg);
  }
}
