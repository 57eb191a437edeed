// Results a bullet can end with: a quantified form (strong bullets) and a qualitative form (the
// same result with zero quantification, used by no_metrics). Written as participial phrases so
// they follow ", " after the main clause. {users} {domain} {product} are filled from the vertical.
import type { Rng } from '../../io/rng.js';

export type OutcomeKind =
  | 'latency'
  | 'cost'
  | 'reliability'
  | 'throughput'
  | 'cycle_time'
  | 'revenue'
  | 'conversion'
  | 'adoption'
  | 'quality'
  | 'accuracy'
  | 'model'
  | 'hardware'
  | 'scale'
  | 'engagement'
  | 'retention'
  | 'efficiency'
  | 'risk'
  | 'satisfaction'
  | 'pipeline'
  | 'team';

export interface Outcome {
  metric: ((r: Rng) => string)[];
  qual: string[];
}

const pct = (r: Rng, lo: number, hi: number): string => `${r.int(lo, hi)}%`;
const money = (r: Rng, loK: number, hiK: number): string => {
  const k = r.int(loK, hiK);
  if (k >= 1000) return `$${(k / 1000).toFixed(1).replace(/\.0$/, '')}M`;
  return `$${k}K`;
};
const count = (r: Rng, lo: number, hi: number): string => {
  const n = r.int(lo, hi);
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}K`;
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); // 1,998 (no locale data needed)
};
/** Two values, before > after. */
const drop = (r: Rng, lo: number, hi: number, minRatio = 0.2, maxRatio = 0.7): [number, number] => {
  const a = r.int(lo, hi);
  const b = Math.max(1, Math.round(a * r.uniform(minRatio, maxRatio)));
  return [a, b];
};

export const OUTCOMES: Record<OutcomeKind, Outcome> = {
  latency: {
    metric: [
      (r) => { const [a, b] = drop(r, 300, 2400); return `cutting p95 latency from ${a} ms to ${b} ms`; },
      (r) => `reducing median response time by ${pct(r, 25, 70)}`,
      (r) => { const [a, b] = drop(r, 8, 45); return `bringing page load time from ${a / 2} s to ${(b / 2).toFixed(1)} s`; },
    ],
    qual: ['making responses noticeably faster', 'removing a long-standing performance bottleneck', 'making the {product} feel faster for {users}'],
  },
  cost: {
    metric: [
      (r) => `saving ${money(r, 40, 1900)} a year`,
      (r) => `cutting annual spend by ${pct(r, 15, 55)}`,
      (r) => `avoiding ${money(r, 60, 900)} in annual vendor fees`,
    ],
    qual: ['lowering operating costs', 'reducing spend', 'freeing budget for other {domain} work'],
  },
  reliability: {
    metric: [
      (r) => `raising availability from ${r.pick(['98.9', '99.2', '99.5', '99.0'])}% to ${r.pick(['99.95', '99.9', '99.99'])}%`,
      (r) => { const [a, b] = drop(r, 6, 30, 0.1, 0.5); return `dropping monthly Sev-2 incidents from ${a} to ${b}`; },
      (r) => `cutting mean time to recovery by ${pct(r, 30, 75)}`,
    ],
    qual: ['making the platform more reliable', 'reducing incidents and on-call pages', 'giving {users} a more dependable service'],
  },
  throughput: {
    metric: [
      (r) => `handling ${r.int(3, 12)}x the previous peak load`,
      (r) => `processing ${count(r, 200_000, 40_000_000)} {domain} events a day`,
      (r) => `raising throughput to ${count(r, 2_000, 90_000)} requests per second`,
    ],
    qual: ['letting the system absorb much higher peak traffic', 'clearing the processing backlog', 'supporting far more {domain} volume'],
  },
  cycle_time: {
    metric: [
      (r) => { const [a, b] = drop(r, 3, 14, 0.1, 0.4); return `shortening the release cycle from ${a} weeks to ${b} day${b === 1 ? '' : 's'}`; },
      (r) => { const [a, b] = drop(r, 20, 90); return `cutting deploy time from ${a} to ${b} minutes`; },
      (r) => `reducing {domain} turnaround time by ${pct(r, 30, 80)}`,
    ],
    qual: ['shortening the release cycle', 'letting the team ship more often', 'speeding up {domain} turnaround'],
  },
  revenue: {
    metric: [
      (r) => `adding ${money(r, 300, 9000)} in annual recurring revenue`,
      (r) => `contributing ${money(r, 500, 14000)} in first-year revenue`,
      (r) => `growing {product} revenue ${pct(r, 12, 60)} year over year`,
    ],
    qual: ['opening a new revenue stream', 'contributing to revenue growth', 'helping the {product} reach new {users}'],
  },
  conversion: {
    metric: [
      (r) => `lifting conversion by ${pct(r, 8, 35)}`,
      (r) => { const a = r.int(12, 40); const b = a + r.int(3, 15); return `raising sign-up completion from ${a}% to ${b}%`; },
      (r) => `increasing checkout completion by ${r.int(2, 9)} points`,
    ],
    qual: ['improving conversion', 'making it easier for {users} to sign up', 'reducing drop-off in the funnel'],
  },
  adoption: {
    metric: [
      (r) => `adopted by ${r.int(4, 30)} teams within ${r.int(2, 9)} months`,
      (r) => `now used by ${count(r, 120, 4000)} internal users`,
      (r) => `rolled out to ${pct(r, 60, 100)} of {users} in one quarter`,
    ],
    qual: ['which was adopted across the organization', 'which became the team standard', 'now used widely by {users}'],
  },
  quality: {
    metric: [
      (r) => `reducing escaped defects by ${pct(r, 30, 80)}`,
      (r) => { const a = r.int(35, 70); const b = r.int(80, 96); return `raising test coverage from ${a}% to ${b}%`; },
      (r) => `cutting customer-reported bugs by ${pct(r, 25, 65)}`,
    ],
    qual: ['catching regressions before release', 'improving release quality', 'reducing bugs that reached {users}'],
  },
  accuracy: {
    metric: [
      (r) => `improving forecast accuracy by ${r.int(4, 18)} points`,
      (r) => `reducing forecast error (MAPE) by ${pct(r, 15, 50)}`,
      (r) => `keeping budget variance under ${r.int(2, 5)}% for ${r.int(4, 8)} straight quarters`,
    ],
    qual: ['giving leadership more accurate forecasts', 'making plans more dependable', 'making {domain} projections more trustworthy'],
  },
  model: {
    metric: [
      (r) => { const a = r.int(70, 84); const b = a + r.int(4, 12); return `raising AUC from 0.${a} to 0.${b}`; },
      (r) => `improving precision at fixed recall by ${r.int(5, 20)} points`,
      (r) => `lifting offline NDCG by ${pct(r, 4, 18)} and online click-through by ${pct(r, 2, 9)}`,
    ],
    qual: ['improving model quality', 'making predictions more accurate', 'making {domain} predictions more trustworthy'],
  },
  hardware: {
    metric: [
      (r) => { const a = r.int(4, 14); return `extending battery life from ${a} to ${a + r.int(4, 18)} months`; },
      (r) => `cutting bill-of-materials cost by $${r.int(2, 19)}.${r.int(10, 95)} per unit`,
      (r) => `reducing firmware image size by ${pct(r, 18, 45)}`,
    ],
    qual: ['extending battery life', 'lowering unit cost', 'freeing memory for new features'],
  },
  scale: {
    metric: [
      (r) => `serving ${count(r, 20_000, 6_000_000)} monthly active {users}`,
      (r) => `supporting ${count(r, 40, 900)} enterprise customers`,
      (r) => `covering ${count(r, 3, 28)} markets and ${count(r, 2, 12)} languages`,
    ],
    qual: ['supporting a much larger customer base', 'letting the {product} scale to new markets', 'serving {users} at national scale'],
  },
  engagement: {
    metric: [
      (r) => `increasing weekly active usage by ${pct(r, 10, 45)}`,
      (r) => `raising email click-through rate from ${r.int(1, 3)}.${r.int(1, 9)}% to ${r.int(4, 7)}.${r.int(0, 9)}%`,
      (r) => `growing average session length by ${pct(r, 12, 40)}`,
    ],
    qual: ['increasing engagement', 'bringing {users} back more often', 'making the {product} stickier'],
  },
  retention: {
    metric: [
      (r) => `reducing churn by ${pct(r, 10, 35)}`,
      (r) => { const a = r.int(78, 89); const b = a + r.int(3, 9); return `lifting net revenue retention from ${a + 20}% to ${b + 20}%`; },
      (r) => `improving 90-day retention by ${r.int(3, 14)} points`,
    ],
    qual: ['reducing churn', 'keeping more {users} on the platform', 'improving customer retention'],
  },
  efficiency: {
    metric: [
      (r) => `saving ${r.int(6, 60)} hours of manual work per week`,
      (r) => `freeing ${r.int(2, 8)} analysts for higher-value work`,
      (r) => `eliminating ${pct(r, 40, 95)} of manual {domain} steps`,
    ],
    qual: ['removing tedious manual work', 'freeing the team for higher-value work', 'making {domain} workflows much more efficient'],
  },
  risk: {
    metric: [
      (r) => `closing ${r.int(12, 140)} critical vulnerabilities`,
      (r) => `passing the ${r.pick(['SOC 2 Type II', 'ISO 27001', 'HIPAA', 'PCI DSS'])} audit with zero major findings`,
      (r) => `reducing mean time to detect threats by ${pct(r, 30, 70)}`,
    ],
    qual: ['strengthening the security posture', 'helping the company pass its compliance audit', 'reducing risk for {users}'],
  },
  satisfaction: {
    metric: [
      (r) => { const a = r.int(20, 45); const b = a + r.int(8, 25); return `raising NPS from ${a} to ${b}`; },
      (r) => `lifting CSAT to ${r.int(90, 98)}%`,
      (r) => `cutting support tickets by ${pct(r, 18, 50)}`,
    ],
    qual: ['improving customer satisfaction', 'reducing support requests', 'earning strong feedback from {users}'],
  },
  pipeline: {
    metric: [
      (r) => `generating ${money(r, 800, 12000)} in qualified pipeline`,
      (r) => `closing ${money(r, 400, 6000)} in new business at ${pct(r, 105, 148)} of quota`,
      (r) => `shortening the sales cycle by ${r.int(9, 40)} days`,
    ],
    qual: ['building a healthy sales pipeline', 'helping the team exceed its targets', 'opening doors with new {users}'],
  },
  team: {
    metric: [
      (r) => { const a = r.int(2, 6); const b = a + r.int(3, 9); return `growing the team from ${a} to ${b} people`; },
      (r) => `with ${r.int(3, 8)} mentees promoted within ${r.int(12, 24)} months`,
      (r) => `cutting new-hire ramp-up time from ${r.int(8, 12)} to ${r.int(3, 6)} weeks`,
    ],
    qual: ['helping teammates grow into larger roles', 'building a stronger team', 'making onboarding smoother'],
  },
};
