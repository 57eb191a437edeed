// The process of one rank (forked by src/dist/remote-rank.ts with its device selected through the
// environment, src/dist/devices.ts): creates its GPU device and a Rank, then answers the
// coordinator's requests one by one. It exits when the coordinator goes away.
import { createGpu } from '../gpu/gpu.js';
import type { Reply, Request } from './protocol.js';
import { Rank, type RankApi } from './rank.js';

let rank: Rank | null = null;
let chain: Promise<void> = Promise.resolve();

const send = (r: Reply): Promise<void> => new Promise((resolve) => process.send!(r, undefined, undefined, () => resolve()));

async function handle(req: Request): Promise<void> {
  try {
    let value: unknown;
    if (req.method === 'init') {
      if (rank) throw new Error('init sent twice');
      rank = await Rank.create(await createGpu(), req.args[0], (line) => console.log(line)); // lines name their rank
      value = await rank.describe();
    } else {
      if (!rank) throw new Error(`${req.method} before init`);
      const fn = (rank as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[req.method satisfies keyof RankApi];
      value = await fn!.apply(rank, req.args);
    }
    await send({ id: req.id, ok: true, value });
    if (req.method === 'close') process.exit(0);
  } catch (e) {
    // The coordinator reports the message; the stack goes to this process's stderr (the run's).
    if (e instanceof Error && e.stack) console.error(e.stack);
    await send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}

if (!process.send) {
  console.error('src/dist/worker.ts runs as a forked rank process (src/dist/remote-rank.ts), not on its own');
  process.exit(2);
}
process.on('message', (req: Request) => {
  chain = chain.then(() => handle(req));
});
process.on('disconnect', () => process.exit(1));
