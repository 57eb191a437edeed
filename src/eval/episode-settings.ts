// Where an evaluation's episode settings (turns, tokens per turn, tokens per episode, thinking) come
// from, so a checkpoint is evaluated as it was trained (issue 11): the command line, else --config's
// episode section, else the run-config.json of the run whose checkpoint --model is
// (runs/NAME/checkpoints/step-N/model), else the task's defaults (src/env/resume/prompts.ts; thinking
// off, as the trainer samples). Each value carries its source for the log.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS } from '../env/resume/prompts.js';
import { EpisodeConfig } from '../env/registry.js';

export interface EpisodeSettings {
  maxTurns: number;
  maxTokensPerTurn: number;
  maxEpisodeTokens: number;
  enableThinking: boolean;
}
export type Sourced<T> = { [K in keyof T]: { value: T[K]; from: string } };

export const EPISODE_DEFAULTS: EpisodeSettings = { maxTurns: MAX_TURNS, maxTokensPerTurn: MAX_TOKENS_PER_TURN, maxEpisodeTokens: MAX_EPISODE_TOKENS, enableThinking: false };

/** The run-config.json of the run whose checkpoint `modelDir` is, when there is one. */
export function runConfigOf(modelDir: string): string | null {
  const model = resolve(modelDir);
  const checkpoints = dirname(dirname(model));
  if (basename(model) !== 'model' || basename(checkpoints) !== 'checkpoints') return null;
  const file = join(dirname(checkpoints), 'run-config.json');
  return existsSync(file) ? file : null;
}

// Only the episode section is read: a run config written by older code may not pass today's schema.
const WithEpisode = z.looseObject({ episode: EpisodeConfig });

/** The episode section of a run config (its defaults where the file leaves fields out). */
export function readRunEpisode(file: string): EpisodeSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read the run's config (${e instanceof Error ? e.message : String(e)}); give the episode limits on the command line or --config`);
  }
  const r = WithEpisode.safeParse(raw);
  if (!r.success) throw new Error(`${file}: invalid episode section: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data.episode;
}

/** Each setting from the first source that has it: `flags` (by option name), `config`, `run`, the defaults. */
export function resolveEpisode(
  flags: { [K in keyof EpisodeSettings]?: { value: EpisodeSettings[K]; flag: string } },
  config: { file: string; episode: EpisodeSettings } | null,
  run: { file: string; episode: EpisodeSettings } | null,
): Sourced<EpisodeSettings> {
  const pick = <K extends keyof EpisodeSettings>(k: K): { value: EpisodeSettings[K]; from: string } => {
    const f = flags[k];
    if (f !== undefined) return { value: f.value, from: f.flag };
    if (config) return { value: config.episode[k], from: `--config ${config.file}` };
    if (run) return { value: run.episode[k], from: `${run.file}, the checkpoint's run` };
    return { value: EPISODE_DEFAULTS[k], from: 'default' };
  };
  return { maxTurns: pick('maxTurns'), maxTokensPerTurn: pick('maxTokensPerTurn'), maxEpisodeTokens: pick('maxEpisodeTokens'), enableThinking: pick('enableThinking') };
}

/** "max turns 3, thinking on (from X); max tokens per turn 32 (--max-tokens-per-turn); ...": the
 *  settings grouped by source, in the order of their first setting. */
export function describeEpisode(s: Sourced<EpisodeSettings>): string {
  const items: [string, string][] = [
    [`max turns ${s.maxTurns.value}`, s.maxTurns.from],
    [`max tokens per turn ${s.maxTokensPerTurn.value}`, s.maxTokensPerTurn.from],
    [`max episode tokens ${s.maxEpisodeTokens.value}`, s.maxEpisodeTokens.from],
    [`thinking ${s.enableThinking.value ? 'on' : 'off'}`, s.enableThinking.from],
  ];
  const sources = [...new Set(items.map(([, from]) => from))];
  return sources.map((from) => `${items.filter(([, f]) => f === from).map(([text]) => text).join(', ')} (${from})`).join('; ');
}
