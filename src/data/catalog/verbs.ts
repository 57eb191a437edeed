// Action verbs by what they can do to an object, with the forms the bullet renderers need.
// Each entry: "Past|base|gerund|participle" (resume bullets are past tense; the passive and
// "responsible for ..." renderings of weak_verbs need the other forms).

export type VerbClass =
  | 'build'
  | 'improve'
  | 'lead'
  | 'analyze'
  | 'diagnose'
  | 'audit'
  | 'establish'
  | 'launch'
  | 'migrate'
  | 'reduce'
  | 'mentor'
  | 'grow'
  | 'research'
  | 'win'
  | 'write';

export interface Verb {
  past: string;
  base: string;
  ing: string;
  pp: string;
}

const RAW: Record<VerbClass, string[]> = {
  build: [
    'Built|build|building|built',
    'Designed|design|designing|designed',
    'Developed|develop|developing|developed',
    'Engineered|engineer|engineering|engineered',
    'Implemented|implement|implementing|implemented',
    'Created|create|creating|created',
    'Delivered|deliver|delivering|delivered',
    'Stood up|stand up|standing up|stood up',
  ],
  improve: [
    'Optimized|optimize|optimizing|optimized',
    'Streamlined|streamline|streamlining|streamlined',
    'Overhauled|overhaul|overhauling|overhauled',
    'Reworked|rework|reworking|reworked',
    'Revamped|revamp|revamping|revamped',
    'Refined|refine|refining|refined',
    'Redesigned|redesign|redesigning|redesigned',
    'Improved|improve|improving|improved',
  ],
  lead: [
    'Led|lead|leading|led',
    'Directed|direct|directing|directed',
    'Spearheaded|spearhead|spearheading|spearheaded',
    'Headed|head|heading|headed',
    'Orchestrated|orchestrate|orchestrating|orchestrated',
    'Drove|drive|driving|driven',
    'Championed|champion|championing|championed',
    'Owned|own|owning|owned',
  ],
  analyze: [
    'Analyzed|analyze|analyzing|analyzed',
    'Evaluated|evaluate|evaluating|evaluated',
    'Investigated|investigate|investigating|investigated',
    'Assessed|assess|assessing|assessed',
    'Examined|examine|examining|examined',
    'Studied|study|studying|studied',
  ],
  diagnose: [
    'Diagnosed|diagnose|diagnosing|diagnosed',
    'Investigated|investigate|investigating|investigated',
    'Traced|trace|tracing|traced',
    'Debugged|debug|debugging|debugged',
    'Resolved|resolve|resolving|resolved',
  ],
  audit: [
    'Audited|audit|auditing|audited',
    'Reviewed|review|reviewing|reviewed',
    'Assessed|assess|assessing|assessed',
    'Inventoried|inventory|inventorying|inventoried',
  ],
  establish: [
    'Established|establish|establishing|established',
    'Introduced|introduce|introducing|introduced',
    'Instituted|institute|instituting|instituted',
    'Set up|set up|setting up|set up',
    'Started|start|starting|started',
  ],
  launch: [
    'Launched|launch|launching|launched',
    'Shipped|ship|shipping|shipped',
    'Rolled out|roll out|rolling out|rolled out',
    'Introduced|introduce|introducing|introduced',
    'Released|release|releasing|released',
    'Deployed|deploy|deploying|deployed',
  ],
  migrate: [
    'Migrated|migrate|migrating|migrated',
    'Ported|port|porting|ported',
    'Moved|move|moving|moved',
    'Transitioned|transition|transitioning|transitioned',
    'Consolidated|consolidate|consolidating|consolidated',
  ],
  reduce: [
    'Reduced|reduce|reducing|reduced',
    'Cut|cut|cutting|cut',
    'Trimmed|trim|trimming|trimmed',
    'Lowered|lower|lowering|lowered',
    'Shrank|shrink|shrinking|shrunk',
  ],
  mentor: [
    'Mentored|mentor|mentoring|mentored',
    'Coached|coach|coaching|coached',
    'Trained|train|training|trained',
    'Onboarded|onboard|onboarding|onboarded',
    'Guided|guide|guiding|guided',
  ],
  grow: [
    'Grew|grow|growing|grown',
    'Expanded|expand|expanding|expanded',
    'Scaled|scale|scaling|scaled',
    'Accelerated|accelerate|accelerating|accelerated',
    'Increased|increase|increasing|increased',
  ],
  research: [
    'Prototyped|prototype|prototyping|prototyped',
    'Piloted|pilot|piloting|piloted',
    'Researched|research|researching|researched',
    'Tested|test|testing|tested',
    'Validated|validate|validating|validated',
  ],
  win: [
    'Negotiated|negotiate|negotiating|negotiated',
    'Closed|close|closing|closed',
    'Secured|secure|securing|secured',
    'Won|win|winning|won',
    'Landed|land|landing|landed',
  ],
  write: [
    'Wrote|write|writing|written',
    'Authored|author|authoring|authored',
    'Drafted|draft|drafting|drafted',
    'Published|publish|publishing|published',
    'Produced|produce|producing|produced',
  ],
};

export const VERBS: Record<VerbClass, Verb[]> = Object.fromEntries(
  Object.entries(RAW).map(([k, list]) => [
    k,
    list.map((s) => {
      const [past, base, ing, pp] = s.split('|') as [string, string, string, string];
      return { past, base, ing, pp };
    }),
  ]),
) as Record<VerbClass, Verb[]>;

/** Openers the weak_verbs weakness uses instead of an action verb (passive or hedged). */
export const WEAK_OPENERS = {
  /** followed by a gerund phrase: "Was responsible for building ..." */
  gerund: [
    'Was responsible for',
    'Was tasked with',
    'Was involved in',
    'Assisted in',
    'Participated in',
    'Worked on',
    'Duties included',
    'Helped with',
    'Was in charge of',
    'Took part in',
  ],
  /** followed by a base form: "Helped to build ..." */
  base: ['Helped to', 'Was asked to', 'Tried to', 'Was expected to', 'Got the chance to'],
  /** passive with the object first: "<Object> was built by the team ..." */
  passiveTail: ['', ' by the team', ' by me', ' with my help', ' under my supervision', ' as part of my role'],
};
