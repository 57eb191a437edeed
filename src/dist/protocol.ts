// Messages between the coordinator and a rank's process (Node IPC with the 'advanced'
// serialization: typed arrays travel as they are). One request at a time per rank.
import type { RankApi, RankInit } from './rank.js';

export type RankMethod = Exclude<keyof RankApi, never>;

export type Request = { id: number; method: 'init'; args: [RankInit] } | { id: number; method: RankMethod; args: unknown[] };

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
