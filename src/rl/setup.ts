// What the trainer and the evaluation both set up around a model: its chat format and the judge.
import { ChatTemplate } from '../io/chat-template.js';
import { HfTokenizer } from '../io/tokenizer.js';
import { OpenAIJudge } from '../reward/judge.js';
import { judgeApiKey, type JudgeConfig } from '../reward/judge-config.js';
import { RulesJudge } from '../reward/rules-judge.js';
import type { Judge } from '../reward/verdict.js';

/** The tokenizer and chat template of a Hugging Face model directory. */
export async function loadChatFormat(dir: string): Promise<{ tokenizer: HfTokenizer; template: ChatTemplate }> {
  const tokenizer = await HfTokenizer.load(dir);
  if (!tokenizer.chatTemplate) throw new Error(`${dir}: the tokenizer has no chat template`);
  return { tokenizer, template: new ChatTemplate(tokenizer.chatTemplate, { eos_token: tokenizer.eosToken, bos_token: tokenizer.bosToken }) };
}

/** The judge of a config's `judge` section: the offline rules stand-in, or the LLM judge with its
 *  API key from the environment (src/reward/judge-config.ts). */
export function makeJudge(cfg: JudgeConfig, env: NodeJS.ProcessEnv = process.env): Judge {
  if (cfg.kind === 'rules') return new RulesJudge();
  const { kind: _kind, onFailure: _onFailure, apiKeyEnv: _apiKeyEnv, ...settings } = cfg;
  return new OpenAIJudge({ ...settings, baseURL: cfg.baseURL!, model: cfg.model!, apiKey: judgeApiKey(cfg, env) });
}
