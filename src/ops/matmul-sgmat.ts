import type { Gpu } from '../gpu/gpu.js';
import type { GemmChunk, GemmDesc } from './matmul-plan.js';
export function sgmatState(_gpu: Gpu): string { return 'unavailable'; }
export function sgmatGemm(_gpu: Gpu, _g: GemmDesc, _c: GemmChunk[], _acc: boolean): void { throw new Error('todo'); }
export async function checkSubgroupMatrix(_gpu: Gpu, _f: unknown): Promise<{ subgroupMatrix: 'unavailable' | 'ok' | 'rejected'; detail: string }> { return { subgroupMatrix: 'unavailable', detail: '' }; }
