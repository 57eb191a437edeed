// One rank's collectives in a ZeRO stage 1 step (README "Sharded training"), applied around the
// training step from outside (src/train/rank.ts calls them between its phases; the step itself
// knows nothing of ranks). Every rank holds all weights and computes gradients for its own passes;
// each weight's optimizer state lives on one owning rank (src/parallel/shard-plan.ts):
//   publishGrads   the gradients of weights this rank does not own go to the exchange;
//   reduce         each owned gradient becomes the sum of every rank's, added on the GPU in f32 in
//                  rank order (collectives.ts: the sum does not depend on which rank owns it);
//   publishWeights the owned weights' new values go to the exchange, after the update;
//   gather         the other ranks' new weights are read into this rank's copies.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { publish, readInto, sumInto } from './collectives.js';
import { Exchange } from './exchange.js';

export class ShardSync {
  private readonly exchange: Exchange;
  private readonly mine: string[];
  private readonly ownedSet: Set<string>;
  private readonly owner = new Map<string, number>();

  /** `owned`: the weight names each rank owns (planShards().owned); `exchangeDir`: the directory
   *  every rank of the run shares. */
  constructor(
    private readonly gpu: Gpu,
    readonly rank: number,
    readonly world: number,
    owned: readonly string[][],
    exchangeDir: string,
  ) {
    owned.forEach((names, r) => names.forEach((n) => this.owner.set(n, r)));
    this.mine = owned[rank]!;
    this.ownedSet = new Set(this.mine);
    this.exchange = new Exchange(exchangeDir);
  }

  /** Publishes this rank's gradients of the weights it does not own. */
  async publishGrads(grads: ReadonlyMap<string, Tensor>): Promise<void> {
    for (const [name, g] of grads) if (!this.ownedSet.has(name)) await publish(this.gpu, this.exchange, 'grad', this.rank, name, g);
  }

  /** Sums every rank's gradient into each of `owned` (this rank's gradients of its own weights),
   *  then frees the other ranks' copies. */
  async reduce(owned: ReadonlyMap<string, Tensor>): Promise<void> {
    for (const [name, g] of owned) {
      await sumInto(this.gpu, this.exchange, name, g, this.rank, this.world);
      for (let r = 0; r < this.world; r++) if (r !== this.rank) await this.exchange.remove('grad', r, name); // host memory back now
    }
  }

  /** Publishes the new values of the weights this rank owns (`weights`: all of them, by name). */
  async publishWeights(weights: ReadonlyMap<string, Tensor>): Promise<void> {
    for (const name of this.mine) await publish(this.gpu, this.exchange, 'weight', this.rank, name, weights.get(name)!);
  }

  /** Reads every weight this rank does not own from its owner's publication. */
  async gather(weights: ReadonlyMap<string, Tensor>): Promise<void> {
    for (const [name, w] of weights) if (!this.ownedSet.has(name)) await readInto(this.gpu, this.exchange, 'weight', this.owner.get(name)!, name, w);
  }
}
