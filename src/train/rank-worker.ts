// The process of one rank (forked by src/train/remote-rank.ts with its device selected through the
// environment, src/parallel/devices.ts): creates its GPU device and a Rank, then answers the
// coordinator's requests one by one (src/parallel/worker-process.ts).
import { createGpu } from '../gpu/gpu.js';
import { serveWorker } from '../parallel/worker-process.js';
import { Rank, type RankInit } from './rank.js';

serveWorker('src/train/rank-worker.ts', async (init: RankInit) => {
  const rank = await Rank.create(await createGpu(), init, (line) => console.log(line)); // lines name their rank
  return { target: rank, value: await rank.describe() };
});
