// Everything a run needs, checked before any device work (loading three 14B ranks takes minutes;
// a typo in a path should not cost them): the model's config.json (a Qwen3) and tokenizer with its
// chat template, the training and evaluation data, the judge's configuration, the sampler server
// serving the configured model, the devices, and the memory plan per rank. `npm run train --
// --check` runs only this; a run starts with it too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyEnvironment } from '../env/environment.js';
import { makeEnvironment } from '../env/registry.js';
import { planDevices } from '../parallel/devices.js';
import { describeRankMemory, rankMemory } from '../parallel/memory.js';
import { loadQwen3Config } from '../model/config.js';
import { OpenAISampler } from '../rollout/client.js';
import { ServerControl } from '../rollout/server-control.js';
import { loadChatFormat, makeJudge } from '../rl/setup.js';
import type { ChatTemplate } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import { describeJudge } from '../reward/judge-config.js';
import type { Judge } from '../reward/verdict.js';
import { samplerURLs, type TrainConfig } from './config.js';

export interface PreflightOptions {
  devices: number[];
  /** Device plan already made (the CLI makes it before the device opens). */
  deviceNote?: string;
  log: (line: string) => void;
}

/** What the checks loaded, for the run to use rather than load again. */
export interface Preflighted {
  /** The configured environment, and its training rows. */
  env: AnyEnvironment;
  rows: { id: string }[];
  /** The evaluation rows used (the first eval.rows), when evaluations are configured. */
  evalRows?: { id: string }[];
  /** Absent when the model directory is still to be created (model.createTiny). */
  chat?: { tokenizer: HfTokenizer; template: ChatTemplate };
  judge: Judge;
}

/** Throws the first problem found, naming it; logs what it checked. A model directory that does
 *  not exist yet but will be created (model.createTiny) is skipped. */
export async function preflight(cfg: TrainConfig, o: PreflightOptions): Promise<Preflighted> {
  const { log } = o;
  let chat: Preflighted['chat'];
  if (existsSync(join(cfg.model.path, 'config.json'))) {
    const mc = await loadQwen3Config(join(cfg.model.path, 'config.json'));
    chat = await loadChatFormat(cfg.model.path);
    log(`model ${cfg.model.path}: Qwen3, ${mc.num_hidden_layers} layers, hidden ${mc.hidden_size}, vocab ${mc.vocab_size}; tokenizer and chat template ok`);
    log(`memory plan on ${o.devices.length} rank(s): ${describeRankMemory(rankMemory(mc, { world: o.devices.length, passTokens: cfg.microBatchTokens, gradDtype: cfg.model.gradDtype, recompute: cfg.model.recompute }))}`);
  } else if (!cfg.model.createTiny) {
    throw new Error(`model ${cfg.model.path} has no config.json (set model.createTiny to create a random tiny model there)`);
  } else {
    log(`model ${cfg.model.path}: will be created (model.createTiny)`);
  }
  const judge = makeJudge(cfg.judge); // the LLM judge's API key is read (and refused) here
  const env = makeEnvironment(cfg.env, { judge, train: cfg.data.train, eval: cfg.eval.data });
  const allRows = env.rows('train');
  const rows = allRows.slice(0, cfg.data.rows ?? allRows.length);
  const of = rows.length < allRows.length ? `the first ${rows.length} of ${allRows.length}` : `${rows.length}`;
  log(env.name === 'resume' ? `training data ${cfg.data.train}: ${of} rows` : `environment ${env.name}: ${of} generated training rows`);
  let evalRows: { id: string }[] | undefined;
  if (cfg.eval.every > 0 || cfg.eval.atStart) {
    // The published evaluation (src/eval) reads the resume task's records.
    if (env.name !== 'resume') throw new Error(`eval.every / eval.atStart: the evaluation report is the resume task's; the ${env.name} environment reports its reward in every step's metrics`);
    const all = env.rows('eval');
    evalRows = all.slice(0, cfg.eval.rows);
    log(`evaluation data ${cfg.eval.data}: ${evalRows.length} of ${all.length} rows`);
  }
  if (env.name === 'resume') log(`judge: ${describeJudge(cfg.judge)}`);
  log(`devices: ${o.deviceNote ?? planDevices(o.devices).note}`);
  if (cfg.sampler.kind === 'openai') {
    const sc = cfg.sampler;
    // Every listed server must be up at the start (mid-run, one that goes is taken out instead).
    for (const url of samplerURLs(sc.baseURL)) {
      await new OpenAISampler({ baseURL: url, model: sc.model, apiKey: sc.apiKey }).check();
      if (sc.sync !== 'vllm') {
        log(`sampler ${url}: serves ${sc.model}; weights through POST ${sc.reloadRoute} {"${sc.reloadField}"}`);
        continue;
      }
      const control = new ServerControl(url, sc.apiKey, 30_000);
      const found = await control.check();
      log(`sampler ${url}: serves ${sc.model}${found.version ? ` (vLLM ${found.version})` : ''}; dev-mode routes for sync vllm present`);
      if (found.paused) {
        // A run that stopped mid-sync leaves its servers paused, and every rollout would wait.
        await control.resume();
        log(`sampler ${url} was paused (a previous run stopped during a weight sync?): resumed`);
      }
    }
  } else {
    log('sampler: embedded (rank 0)');
  }
  return { env, rows, evalRows, chat, judge };
}
