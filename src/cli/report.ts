// `npm run report -- --run DIR [--compare DIR2 ...] [--labels A,B] [--out DIR] [--scale N]
//  [--charts NAME,...]`: a run's training curves as SVG and PNG charts plus report.md
// (src/report/). `--help` for more.
import { USAGE, parseReportArgs } from '../report/args.js';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseReportArgs(process.argv.slice(2));
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n(npm run report -- --help for the options)`);
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  // Loaded only now: Vega and resvg take a moment, which --help and argument errors need not wait for.
  const { writeReport } = await import('../report/report.js');
  const { fmt, signed } = await import('../report/markdown.js');
  const r = await writeReport({ ...parsed.options, warn: (w) => console.error(`warning: ${w}`) });
  for (const s of r.runs) {
    const q = s.quarters;
    console.log(`${s.label}: ${q.steps} step(s); mean reward first quarter ${fmt(q.first.mean)}, last quarter ${fmt(q.last.mean)}, change ${signed(q.change)}`);
  }
  console.log(`wrote ${r.charts.length} chart(s) (SVG + PNG) and ${r.files[r.files.length - 1]}`);
}

main().catch((e) => {
  console.error(`report: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
