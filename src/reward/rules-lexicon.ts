// Word lists of the offline rules judge (src/reward/rules-judge.ts). Lower case; multiword
// entries are matched as phrases on word boundaries. Written for this project from common
// resume-writing advice (weak openers, passive voice, vague quantifiers); not exhaustive.

/** Weak or passive openers and phrases, counted anywhere in a bullet. */
export const WEAK_VERB_PHRASES = [
  'responsible for',
  'helped',
  'helped with',
  'helping',
  'worked on',
  'worked with',
  'assisted',
  'assisted with',
  'assisting',
  'participated in',
  'involved in',
  'tasked with',
  'duties included',
  'in charge of',
  'was part of',
  'contributed to',
  'handled',
  'dealt with',
  'tried to',
] as const;

/** Strong action verbs, counted when a bullet starts with one. */
export const STRONG_VERBS = new Set([
  'accelerated', 'achieved', 'architected', 'audited', 'authored', 'automated', 'boosted', 'built',
  'captured', 'championed', 'coached', 'consolidated', 'created', 'cut', 'debugged', 'defined',
  'delivered', 'deployed', 'designed', 'developed', 'diagnosed', 'directed', 'doubled', 'drove',
  'eliminated', 'engineered', 'established', 'exceeded', 'expanded', 'founded', 'generated', 'grew',
  'halved', 'headed', 'hired', 'implemented', 'improved', 'increased', 'initiated', 'instituted',
  'instrumented', 'integrated', 'introduced', 'launched', 'led', 'lowered', 'managed', 'mentored',
  'migrated', 'modernized', 'negotiated', 'optimized', 'orchestrated', 'overhauled', 'oversaw',
  'owned', 'pioneered', 'produced', 'prototyped', 'published', 'raised', 'rebuilt', 'redesigned',
  'reduced', 'refactored', 'resolved', 'restructured', 'revamped', 'saved', 'scaled', 'secured',
  'shipped', 'simplified', 'spearheaded', 'standardized', 'streamlined', 'strengthened',
  'supervised', 'trained', 'transformed', 'tripled', 'unified', 'upgraded', 'won', 'wrote',
]);

/** Vague quantifiers and filler, counted anywhere in the document. */
export const VAGUE_PHRASES = [
  'various',
  'many',
  'a lot of',
  'lots of',
  'things',
  'stuff',
  'etc',
  'numerous',
  'several',
  'a number of',
  'a variety of',
  'and more',
  'and so on',
  'kind of',
  'sort of',
  'some',
] as const;

/** Irregular past participles for the passive check ("was built", "were led"). */
export const IRREGULAR_PARTICIPLES = new Set([
  'built', 'led', 'made', 'done', 'given', 'taken', 'written', 'run', 'shown', 'held', 'brought',
  'kept', 'sent', 'set', 'paid', 'found', 'put', 'taught', 'sold', 'won', 'cut', 'chosen', 'grown',
]);

/** Words ending in -ed/-en that are not participles after "was/were" ("was often", "were open"). */
export const NOT_PARTICIPLES = new Set(['often', 'open', 'even', 'seven', 'eleven', 'ten', 'keen', 'token', 'golden', 'hidden', 'need', 'speed', 'feed']);

/** English stop words and generic job-ad words left out of JD keywords. */
export const STOPWORDS = new Set(
  (
    'a about above across after again against all also an and any are as at be because been before being below between both but by can could did do does doing down during each either else etc ever every few for from further had has have having he her here hers him his how i if in into is it its itself just least less let like may me might more most much must my no nor not now of off on once one only or other our ours out over own per same she should since so some such than that the their them then there these they this those through thus to too toward under until up upon us use used using very via was we well were what when where whether which while who whom whose why will with within without would yet you your ' +
    // generic job-ad vocabulary that says nothing about the role
    'ability able across candidate candidates company environment equal excellent experience experienced familiarity great help ideal including job join looking new opportunity plus position preferred proven qualifications related required requirements responsibilities role seeking skills strong team teams work working year years'
  ).split(/\s+/),
);

/** Capitalized words that are not entities: months, days, section headings, pronouns. */
export const NON_ENTITY_WORDS = new Set(
  (
    'jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december ' +
    'mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday present current now i ' +
    'summary profile objective experience work professional employment history career skills technical core key competencies ' +
    'education projects selected relevant achievements accomplishments highlights certifications certificates awards honors ' +
    'publications languages tools technologies interests volunteer leadership additional other impact contact about'
  ).split(/\s+/),
);

/** Number words read as digits, so "five engineers" -> "5 engineers" is not a new number. */
export const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100,
  dozen: 12, double: 2, doubled: 2, triple: 3, tripled: 3, half: 0.5, halved: 0.5,
};
