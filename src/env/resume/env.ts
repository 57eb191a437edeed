// The resume-revision environment (resume-task.md sections 1-2): state, one step per assistant
// message, reply texts. Knows nothing about models or rewards; the rubrics read `outcomes`.
import { parseToolCalls, type ParsedToolCalls } from '../../io/toolcall.js';
import type { CallOutcome, StrReplaceError } from '../../reward/outcome.js';
import { MAX_TURNS, TOOL_NAMES, type ToolName } from './prompts.js';
import {
  multipleCallsReply,
  reviewReply,
  strReplace,
  submitReply,
  unknownToolReply,
} from './tools.js';

export type EndReason = 'submit' | 'turn_budget' | 'no_tool_call' | 'token_budget';

export interface StepResult {
  outcome: CallOutcome;
  /** The tool reply, meta line included; undefined when the message had no tool call. */
  reply?: string;
  done: boolean;
  endReason?: EndReason;
  parsed: ParsedToolCalls;
  /** The tool that ran, when one did. */
  tool?: ToolName;
}

function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

export class ResumeEnv {
  readonly original: string;
  readonly maxTurns: number;
  doc: string;
  /** Turns taken so far. */
  turn = 0;
  /** Successful str_replace calls so far. */
  edits = 0;
  done = false;
  endReason: EndReason | undefined;
  readonly outcomes: CallOutcome[] = [];

  constructor(resume: string, maxTurns = MAX_TURNS) {
    this.original = resume;
    this.doc = resume;
    this.maxTurns = maxTurns;
  }

  /** `turns left: 7/10 | edits: 3`; (choice) "turns left" already counts the turn just taken. */
  metaLine(): string {
    return `turns left: ${this.maxTurns - this.turn}/${this.maxTurns} | edits: ${this.edits}`;
  }

  /** Ends the episode from outside (e.g. the token budget). */
  stop(reason: EndReason): void {
    this.done = true;
    this.endReason ??= reason;
  }

  /** One assistant message. Throws only on misuse (stepping a finished episode), never on model text. */
  step(text: string): StepResult {
    if (this.done) throw new Error(`ResumeEnv.step: the episode already ended (${this.endReason})`);
    this.turn++;
    const parsed = parseToolCalls(text);
    const { outcome, body, tool } = this.run(parsed);
    this.outcomes.push(outcome);
    if (outcome.kind === 'none') {
      this.stop('no_tool_call');
      return { outcome, done: true, endReason: 'no_tool_call', parsed };
    }
    if (outcome.kind === 'submit') this.stop('submit');
    else if (this.turn >= this.maxTurns) this.stop('turn_budget');
    const reply = `${body}\n${this.metaLine()}`;
    const result: StepResult = { outcome, reply, done: this.done, parsed };
    if (this.endReason !== undefined) result.endReason = this.endReason;
    if (tool !== undefined) result.tool = tool;
    return result;
  }

  private run(parsed: ParsedToolCalls): { outcome: CallOutcome; body: string; tool?: ToolName } {
    const { blocks } = parsed;
    if (blocks.length === 0) return { outcome: { kind: 'none' }, body: '' };
    if (blocks.length > 1) {
      return { outcome: { kind: 'failed', error: 'multiple_calls' }, body: multipleCallsReply(blocks.length) };
    }
    const block = blocks[0]!;
    if (!block.ok) {
      return {
        outcome: { kind: 'failed', error: block.error.kind },
        body: `error: ${block.error.message}; nothing was executed`,
      };
    }
    const { name, arguments: args } = block.call;
    if (!isToolName(name)) {
      return { outcome: { kind: 'failed', error: 'unknown_tool' }, body: unknownToolReply(name) };
    }
    switch (name) {
      case 'str_replace': {
        const r = strReplace(this.doc, args);
        if (!r.ok) return { outcome: { kind: 'str_replace', ok: false, error: r.error }, body: r.reply, tool: name };
        this.doc = r.doc;
        this.edits++;
        return { outcome: { kind: 'str_replace', ok: true, replaced: r.replaced }, body: r.reply, tool: name };
      }
      // (choice) review and submit take no parameters and cannot fail (the spec's table has no
      // failure column for them): any arguments given are ignored.
      case 'review':
        return { outcome: { kind: 'review' }, body: reviewReply(this.doc), tool: name };
      case 'submit':
        return { outcome: { kind: 'submit' }, body: submitReply(this.doc), tool: name };
    }
  }
}
