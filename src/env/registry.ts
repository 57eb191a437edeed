// The environment a run's config selects (`env.kind`), built with what it needs.
import { z } from 'zod';
import type { Judge } from '../reward/verdict.js';
import type { AnyEnvironment } from './environment.js';
import { ResumeEnvironment } from './resume/episode.js';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS } from './resume/prompts.js';
import { ReverseTextConfig, ReverseTextEnvironment } from './reverse/reverse-text.js';

/** An episode's limits and the chat template's thinking switch: the run config's `episode` section,
 *  which `npm run eval` also reads from a checkpoint's run (src/eval/episode-settings.ts). Defaults:
 *  the resume task's (src/env/resume/prompts.ts); thinking off, as the published run samples. */
export const EpisodeConfig = z
  .object({
    maxTurns: z.number().int().positive().default(MAX_TURNS),
    maxTokensPerTurn: z.number().int().positive().default(MAX_TOKENS_PER_TURN),
    maxEpisodeTokens: z.number().int().positive().default(MAX_EPISODE_TOKENS),
    enableThinking: z.boolean().default(false),
  })
  .prefault({});

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
