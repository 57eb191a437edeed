// What the trainer and the evaluation both set up around a model: its chat format and the judge.
import { ChatTemplate } from '../io/chat-template.js';
import { HfTokenizer } from '../io/tokenizer.js';
import { OpenAIJudge, judgeConfigFromEnv } from '../reward/judge.js';
import { RulesJudge } from '../reward/rules-judge.js';
import type { Judge } from '../reward/verdict.js';

/** The tokenizer and chat template of a Hugging Face model directory. */
export async function loadChatFormat(dir: string): Promise<{ tokenizer: HfTokenizer; template: ChatTemplate }> {
  const tokenizer = await HfTokenizer.load(dir);
  if (!tokenizer.chatTemplate) throw new Error(`${dir}: the tokenizer has no chat template`);
  return { tokenizer, template: new ChatTemplate(tokenizer.chatTemplate, { eos_token: tokenizer.eosToken, bos_token: tokenizer.bosToken }) };
}

/** 'rules': the offline stand-in; 'openai': the LLM judge configured by JUDGE_* variables. */
export function makeJudge(kind: 'rules' | 'openai'): Judge {
  return kind === 'rules' ? new RulesJudge() : new OpenAIJudge(judgeConfigFromEnv());
}
