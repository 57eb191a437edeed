// The command line of `npm run report` (src/cli/report.ts), parsed into ReportOptions.
import type { ReportOptions } from './report.js';

export const USAGE = `Usage: npm run report -- --run DIR [--compare DIR2 [DIR3 ...]] [--labels A,B,...] [--out DIR] [--scale N] [--charts NAME,...]

Draws a training run's curves from DIR/metrics.jsonl (and DIR/evals.jsonl when there is one) as
one SVG and one PNG per chart, and writes report.md beside them: the charts and a table of the
mean reward of the first quarter of the steps against the last quarter.

Options:
  --run DIR              the run directory (written by npm run train; has metrics.jsonl). Required.
  --compare DIR2 ...     more run directories, overlaid on the same charts (one colour per run);
                         takes every following argument up to the next option.
  --labels A,B,...       the runs' names on the charts, --run's first, one per run
                         (default: each directory's name).
  --out DIR              where the report goes (default: <--run DIR>/report).
  --scale N              PNG pixels per chart pixel, 0 < N <= 8 (default: 2).
  --charts NAME,...      only these charts (default: every chart the data allows: reward,
                         reward-components, submit-rate, edit-failure-rate, ratio-clipping, loss,
                         grad-norm, time, and eval-reward, eval-components, eval-submit-rate,
                         eval-edit-failure-rate, eval-other with evals.jsonl).
  -h, --help             print this text and exit.

Example: npm run report -- --run runs/resume --compare runs/control --labels trained,control`;

export type Parsed = { help: true } | { help: false; options: ReportOptions };

/** Parses the arguments after \`--\`; throws with a message naming the bad argument. */
export function parseReportArgs(argv: readonly string[]): Parsed {
  // --flag=value is the same as --flag value.
  const args = argv.flatMap((a) => (/^--[^=]+=/.test(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  let run: string | undefined;
  const compare: string[] = [];
  let labels: string[] | undefined;
  let out: string | undefined;
  let scale: number | undefined;
  let charts: string[] | undefined;
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--run') {
      if (run !== undefined) throw new Error('--run given twice (use --compare for more runs)');
      run = value(i++, a);
    } else if (a === '--compare') {
      const before = compare.length;
      while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) compare.push(args[++i]!);
      if (compare.length === before) throw new Error('--compare needs at least one run directory');
    } else if (a === '--labels') {
      labels = value(i++, a).split(',').map((l) => l.trim());
    } else if (a === '--out') {
      out = value(i++, a);
    } else if (a === '--scale') {
      const v = value(i++, a);
      scale = Number(v);
      if (!(scale > 0 && scale <= 8)) throw new Error(`--scale must be a number in (0, 8], got ${v}`);
    } else if (a === '--charts') {
      charts = value(i++, a).split(',').map((c) => c.trim()).filter((c) => c !== '');
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else {
      throw new Error(`unexpected argument ${a} (run directories go after --run or --compare)`);
    }
  }
  if (run === undefined) throw new Error('--run DIR is required (a run directory with metrics.jsonl)');
  const runs = [run, ...compare];
  if (labels && labels.length !== runs.length) throw new Error(`--labels has ${labels.length} name(s) for ${runs.length} run(s) (--run and --compare): give one per run`);
  const options: ReportOptions = { runs };
  if (labels) options.labels = labels;
  if (out !== undefined) options.out = out;
  if (scale !== undefined) options.scale = scale;
  if (charts) options.charts = charts;
  return { help: false, options };
}
