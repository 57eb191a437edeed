// Text features of a Markdown resume for the offline rules judge (src/reward/rules-judge.ts):
// tokens, numbers, capitalized entity words, bullets, weak/strong verbs, vague phrases,
// formatting consistency and JD keyword coverage. Pure functions, no I/O.
import {
  IRREGULAR_PARTICIPLES,
  NON_ENTITY_WORDS,
  NOT_PARTICIPLES,
  NUMBER_WORDS,
  STOPWORDS,
  STRONG_VERBS,
  VAGUE_PHRASES,
  WEAK_VERB_PHRASES,
} from './rules-lexicon.js';

/** A bullet wider than this many words counts against clarity (wordiness). */
export const LONG_BULLET_WORDS = 30;
/** JD keywords first seen in this top fraction of the resume's non-blank lines count as prominent. */
export const PROMINENT_TOP_FRACTION = 1 / 3;
/** Extra weight of a prominent JD keyword (a keyword present anywhere counts 1). */
export const PROMINENCE_BONUS = 0.5;

const BULLET_RE = /^\s*([-*+•]|\d+[.)])\s+/;
const HEADING_RE = /^\s*(#{1,6})\s+(.*)$/;
const BOLD_LINE_RE = /^\s*\*\*([^*]+)\*\*\s*:?\s*$/;
const WORD_RE = /[A-Za-z][A-Za-z0-9+#&'.-]*[A-Za-z0-9+#]|[A-Za-z]/g;

/** Removes Markdown decoration: heading hashes, bullet markers, emphasis, code ticks, link targets. */
export function stripMarkdown(line: string): string {
  return line
    .replace(HEADING_RE, '$2')
    .replace(BULLET_RE, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/(^|\s)[*_](\S)/g, '$1$2')
    .replace(/(\S)[*_](?=\s|$)/g, '$1');
}

export function words(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

/** Lower case, possessive and plural stripped, so "APIs" matches "API" and "team's" "team". */
export function normWord(w: string): string {
  let s = w.toLowerCase().replace(/'s$/, '');
  if (s.length > 4 && s.endsWith('s') && !s.endsWith('ss')) s = s.slice(0, -1);
  return s;
}

/** The set of normalized words of a text. */
export function vocabulary(text: string): Set<string> {
  return new Set(words(text).map(normWord));
}

const MULTIPLIERS: Record<string, number> = { k: 1e3, thousand: 1e3, m: 1e6, mm: 1e6, million: 1e6, b: 1e9, bn: 1e9, billion: 1e9 };
// A number not glued to a preceding letter or digit ("S3", "EC2" are entity words, not numbers),
// with an optional scale suffix ("$1.2M", "10k", "3 million").
const NUMBER_RE = /(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:(k|mm|m|bn|b)(?![A-Za-z])|\s(thousand|million|billion)\b)?/gi;

const numKey = (n: number) => String(Number(n.toPrecision(12)));

/** Numeric values written with digits, as canonical strings ("1,200" and "1.2k" -> "1200"). */
export function digitNumbers(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(NUMBER_RE)) {
    const base = Number(m[1]!.replace(/,/g, ''));
    const suffix = (m[2] ?? m[3])?.toLowerCase();
    out.add(numKey(base));
    if (suffix) out.add(numKey(base * MULTIPLIERS[suffix]!));
  }
  return out;
}

/** Values a source text supports: its digit numbers plus spelled-out ones ("five", "doubled"). */
export function supportedNumbers(text: string): Set<string> {
  const out = digitNumbers(text);
  for (const w of text.match(/[A-Za-z]+/g) ?? []) {
    const v = NUMBER_WORDS[w.toLowerCase()];
    if (v !== undefined) out.add(numKey(v));
  }
  return out;
}

/**
 * New numbers in `revised`: digit numbers whose value appears in no source. A scaled number
 * ("$1.2M") counts as supported when either its written or its scaled value is in a source.
 */
export function newNumbers(revised: string, sources: string[]): string[] {
  const supported = new Set(sources.flatMap((s) => [...supportedNumbers(s)]));
  const out: string[] = [];
  for (const m of revised.matchAll(NUMBER_RE)) {
    const base = Number(m[1]!.replace(/,/g, ''));
    const suffix = (m[2] ?? m[3])?.toLowerCase();
    const keys = [numKey(base), ...(suffix ? [numKey(base * MULTIPLIERS[suffix]!)] : [])];
    if (!keys.some((k) => supported.has(k))) out.push(m[0]!);
  }
  return [...new Set(out)];
}

/** True when a segment-initial capitalized word is an ordinary sentence start, not a name. */
function ordinaryStart(w: string): boolean {
  const l = w.toLowerCase();
  return (
    STOPWORDS.has(l) ||
    STRONG_VERBS.has(l) ||
    NON_ENTITY_WORDS.has(l) ||
    WEAK_VERB_PHRASES.some((p) => p.split(' ')[0] === l) ||
    /(ed|ing)$/.test(l)
  );
}

/**
 * Entity-like words of a text: capitalized words (Acme, Kubernetes), acronyms (AWS) and words
 * with digits (EC2, K8s). A capitalized word that opens a line or sentence is skipped when it is
 * an ordinary sentence start (stop word, action verb, -ed/-ing form); months, days and section
 * names are never entities.
 */
export function entityWords(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    for (const segment of stripMarkdown(raw).split(/[.!?](?:\s+|$)|\s[|•·]\s/)) {
      words(segment).forEach((w, i) => {
        const capitalized = /^[A-Z]/.test(w) || (/[A-Za-z]/.test(w) && /\d/.test(w));
        if (!capitalized || NON_ENTITY_WORDS.has(w.toLowerCase())) return;
        if (i === 0 && ordinaryStart(w)) return;
        out.push(w);
      });
    }
  }
  return out;
}

/** Entity words of `revised` (normalized) that occur, in any case, in no source. */
export function newEntities(revised: string, sources: string[]): string[] {
  const vocab = new Set(sources.flatMap((s) => [...vocabulary(s)]));
  return [...new Set(entityWords(revised).filter((w) => !vocab.has(normWord(w))))];
}

/** Bullet lines' text, marker removed. */
export function bullets(doc: string): { marker: string; text: string }[] {
  const out: { marker: string; text: string }[] = [];
  for (const line of doc.split('\n')) {
    const m = BULLET_RE.exec(line);
    if (m) out.push({ marker: /\d/.test(m[1]!) ? 'numbered' : m[1]!, text: stripMarkdown(line).trim() });
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phraseRe = (p: string) => new RegExp(`\\b${escapeRe(p).replace(/ /g, '\\s+')}\\b`, 'gi');
const WEAK_RES = WEAK_VERB_PHRASES.map(phraseRe);
const VAGUE_RES = VAGUE_PHRASES.map(phraseRe);
const PASSIVE_RE = /\b(?:was|were|is|are|been|being)\s+(?:[a-z]+ly\s+)?([a-z]+)\b/gi;

function countMatches(text: string, res: RegExp[]): number {
  return res.reduce((n, re) => n + (text.match(re)?.length ?? 0), 0);
}

/** Weak phrases plus passive constructions (was/were + participle) in one bullet. */
export function weakVerbCount(bullet: string): number {
  let passive = 0;
  for (const m of bullet.matchAll(PASSIVE_RE)) {
    const w = m[1]!.toLowerCase();
    if (NOT_PARTICIPLES.has(w)) continue;
    if (IRREGULAR_PARTICIPLES.has(w) || (w.length > 3 && /(ed|en)$/.test(w))) passive++;
  }
  return countMatches(bullet, WEAK_RES) + passive;
}

export function startsWithStrongVerb(bullet: string): boolean {
  const first = words(bullet)[0];
  return first !== undefined && STRONG_VERBS.has(first.toLowerCase());
}

export function vagueCount(doc: string): number {
  return countMatches(doc, VAGUE_RES);
}

const MONTHS_ABBR = 'jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
const MONTHS_FULL = 'january|february|march|april|may|june|july|august|september|october|november|december';

/** The date styles a document uses: "Jan 2020", "January 2020", "01/2020", "2020-01", "2019 - 2021". */
export function dateFormats(doc: string): Set<string> {
  const found = new Set<string>();
  if (new RegExp(`\\b(${MONTHS_ABBR})\\.?\\s+\\d{4}\\b`, 'i').test(doc)) found.add('mon yyyy');
  if (new RegExp(`\\b(${MONTHS_FULL})\\s+\\d{4}\\b`, 'i').test(doc)) found.add('month yyyy');
  if (/(?<![\d/])\d{1,2}\/\d{4}\b/.test(doc)) found.add('mm/yyyy');
  if (/\b\d{4}-\d{2}\b(?!\d)/.test(doc)) found.add('yyyy-mm');
  // A bare year opening a range, not preceded by a month or a slash.
  const bareRange = new RegExp(
    `(?<!(?:${MONTHS_ABBR}|${MONTHS_FULL})\\.?\\s)(?<![\\d/-])\\b(19|20)\\d{2}\\s*[-–—]\\s*((19|20)\\d{2}|present|current)\\b`,
    'i',
  );
  if (bareRange.test(doc)) found.add('yyyy');
  return found;
}

/** True for a heading that names a standard resume section ("Experience", "Technical Skills"). */
function isSectionName(text: string): boolean {
  const ws = words(text).map((w) => w.toLowerCase()).filter((w) => w !== 'and' && w !== '&');
  return ws.length > 0 && ws.length <= 3 && ws.every((w) => NON_ENTITY_WORDS.has(w));
}

/**
 * Formatting inconsistencies: extra date styles, extra bullet markers and extra levels used for
 * section headings (a bold line counts as a level of its own), each beyond the first.
 */
export function formatIssues(doc: string): { dates: number; markers: number; headings: number; total: number } {
  const dates = Math.max(0, dateFormats(doc).size - 1);
  const markers = Math.max(0, new Set(bullets(doc).map((b) => b.marker)).size - 1);
  const levels = new Set<string>();
  for (const line of doc.split('\n')) {
    const h = HEADING_RE.exec(line);
    if (h && isSectionName(h[2]!)) levels.add(h[1]!);
    const b = BOLD_LINE_RE.exec(line);
    if (b && isSectionName(b[1]!)) levels.add('bold');
  }
  const headings = Math.max(0, levels.size - 1);
  return { dates, markers, headings, total: dates + markers + headings };
}

/** JD keywords: normalized JD words minus stop words and generic job-ad words. */
export function jdKeywords(jd: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(jd)) {
    const n = normWord(w);
    if (n.length < 2 && !/[+#]/.test(n)) continue;
    if (STOPWORDS.has(n) || STOPWORDS.has(w.toLowerCase())) continue;
    out.add(n);
  }
  return out;
}

/**
 * JD alignment score of a resume: each JD keyword present counts 1, plus PROMINENCE_BONUS when
 * it first appears in the top PROMINENT_TOP_FRACTION of the non-blank lines (summary, first role).
 */
export function jdAlignment(resume: string, keywords: Set<string>): { covered: number; prominent: number; score: number } {
  const lines = resume.split('\n').filter((l) => l.trim() !== '');
  const topEnd = Math.ceil(lines.length * PROMINENT_TOP_FRACTION);
  const first = new Map<string, number>();
  lines.forEach((line, i) => {
    for (const w of words(line)) {
      const n = normWord(w);
      if (keywords.has(n) && !first.has(n)) first.set(n, i);
    }
  });
  let prominent = 0;
  for (const i of first.values()) if (i < topEnd) prominent++;
  return { covered: first.size, prominent, score: first.size + PROMINENCE_BONUS * prominent };
}

/** All per-document counts the rules judge compares. */
export interface DocFeatures {
  bullets: number;
  /** Weak phrases and passive constructions in bullets. */
  weakVerbs: number;
  /** Bullets opening with a strong action verb. */
  strongStarts: number;
  vague: number;
  longBullets: number;
  formatIssues: number;
  /** Bullets holding a digit, % or $. */
  quantifiedBullets: number;
}

export function docFeatures(doc: string): DocFeatures {
  const bs = bullets(doc);
  return {
    bullets: bs.length,
    weakVerbs: bs.reduce((n, b) => n + weakVerbCount(b.text), 0),
    strongStarts: bs.filter((b) => startsWithStrongVerb(b.text)).length,
    vague: vagueCount(doc),
    longBullets: bs.filter((b) => words(b.text).length > LONG_BULLET_WORDS).length,
    formatIssues: formatIssues(doc).total,
    quantifiedBullets: bs.filter((b) => /[\d%$]/.test(b.text)).length,
  };
}
