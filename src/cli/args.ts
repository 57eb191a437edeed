// The command lines of the npm scripts: Node's util.parseArgs plus one usage text written from the
// same option table, so `--help` / `-h` always lists every option with its default and an unknown
// option or a missing value is named with a pointer to `--help`.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's placeholder in the usage text, e.g. 'FILE' (string options; default 'VALUE'). */
  value?: string;
  /** One-letter alias. */
  short?: string;
  /** May be given more than once (string options): the values are collected in order. */
  multiple?: boolean;
  /** Applied when the option is absent, and shown in the usage text. */
  default?: string;
  /** What the option does; where its default is not a fixed value, say it here. */
  help: string;
}

export interface CliSpec {
  /** e.g. 'npm run eval --'. */
  command: string;
  /** Positional arguments in the usage line, e.g. '[names...]' (none when absent). */
  positionals?: string;
  /** What the command does, a few lines. */
  summary: string;
  options: Record<string, OptionSpec>;
  /** Lines after the options (examples, notes). */
  epilog?: string;
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean | undefined : O[K]['multiple'] extends true ? string[] | undefined : string | undefined;
};

export type Parsed<O extends Record<string, OptionSpec>> = { help: true } | { help: false; values: Values<O>; positionals: string[] };

/** The usage text: the command line, the summary, one line per option with its default. */
export function usage(spec: CliSpec): string {
  const flag = (name: string, o: OptionSpec): string =>
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}${o.multiple ? ' ...' : ''}`;
  const rows: [string, string][] = Object.entries(spec.options).map(([name, o]) => [flag(name, o), o.default !== undefined ? `${o.help} (default: ${o.default})` : o.help]);
  rows.push(['-h, --help', 'print this text and exit']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`);
  return [`Usage: ${spec.command}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`, '', spec.summary, '', 'Options:', ...lines, ...(spec.epilog ? ['', spec.epilog] : [])].join('\n');
}

/** Parses `argv` (the arguments after `--`); `--help` / `-h` anywhere wins. Throws an Error naming
 *  the bad argument and pointing at `--help`. */
export function parseCli<O extends Record<string, OptionSpec>>(spec: CliSpec & { options: O }, argv: readonly string[]): Parsed<O> {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: o.default } : {}) }]),
  );
  try {
    const r = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals !== undefined });
    return { help: false, values: r.values as Values<O>, positionals: r.positionals };
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n(${spec.command} --help for the options)`);
  }
}

/** An integer option's value (undefined when absent), at least `min`. */
export function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

/** Options every command that runs kernels takes (train, eval, serve, bench): spread into its
 *  option table. */
export const KERNEL_OPTIONS = {
  retune: {
    type: 'boolean',
    help: "time the kernel variants again, ignoring the cached choice (src/ops/autotune; the cache: $XDG_CACHE_HOME or ~/.cache, rlvr-ts/kernel-choices.json)",
  },
} as const satisfies Record<string, OptionSpec>;
