// Sentence templates for the weak renderings and the prose parts of resumes and JDs.
// Slots: {area} (a work-area label), {domain} {product} {users} (vertical), {tool} {tool2}
// (persona stack), {partner} (a partner team), {o} (a task object), {ing} {past} {base} {label}.

/** vague_bullets: generic phrasing with no concrete object, tool or result. */
export const VAGUE = [
  'Worked on various {area} projects across the team.',
  'Helped with {area} tasks and other duties as needed.',
  'Responsible for {area} and related work.',
  'Supported {domain} initiatives in a fast-paced environment.',
  'Involved in many aspects of {area}.',
  'Contributed to several improvements to the {product}.',
  'Did a lot of work on {area} with different stakeholders.',
  'Handled day-to-day {area} activities.',
  'Took part in efforts to make {area} better.',
  'Made improvements to processes related to {domain}.',
  'Worked closely with the team on {area} items.',
  'Collaborated with others on {domain}-related work.',
  'Assisted with {area} as part of a cross-functional team.',
  'Was part of a team working on the {product}.',
  'Provided support for {area} and helped where needed.',
  'Helped improve results for {users}.',
  'Contributed to the success of {domain} projects.',
  'Kept {area} work running smoothly.',
  'Used {tool} on a number of different tasks.',
  'Played a key role in various {domain} efforts.',
  'Worked with {partner} on different initiatives.',
  'Participated in {area} discussions and planning.',
  'Helped the team reach its goals around {area}.',
  'Handled multiple responsibilities related to the {product}.',
];

/** too_long: routine, low-signal duties that pad a resume past one page. */
export const ROUTINE = [
  'Attended daily stand-ups, sprint planning and retrospectives.',
  'Took part in weekly syncs with {partner} stakeholders.',
  'Kept {tool} documentation up to date for the team.',
  'Answered questions from {partner} colleagues about {area}.',
  'Updated tickets in Jira and tracked tasks through completion.',
  'Completed internal training on {tool} and {tool2}.',
  'Shared status updates in team meetings.',
  'Helped organize team offsites and knowledge-sharing sessions.',
  'Reviewed incoming {area} requests and routed them to the right owner.',
  'Wrote meeting notes and circulated them after planning sessions.',
  'Joined the company-wide {domain} all-hands each quarter.',
  'Maintained a shared folder of {area} templates.',
  'Covered for teammates during vacations and holidays.',
  'Welcomed new hires and showed them around the {product}.',
  'Followed company processes for {area} work.',
  'Read industry newsletters to stay current on {domain}.',
  'Took notes during customer calls about the {product}.',
  'Prepared slides for the monthly team meeting.',
  'Kept the team calendar and recurring meetings organized.',
  'Participated in the internal hackathon.',
  'Filed expense reports and tracked team purchases.',
  'Responded to internal emails about {area} in a timely manner.',
  'Attended vendor demos of {area} tools.',
  'Helped test new features of the {product} before release.',
  'Sat in on interviews for open {area} positions.',
  'Tidied up old {tool} files and archived unused ones.',
  'Set up workstations and accounts for new team members.',
  'Took part in the {partner} book club.',
];

/** wrong_emphasis: JD-relevant work, written small and put last. {o} is the task object. */
export const UNDERSOLD = [
  'Also {ing} {o} when needed.',
  'Some {label} work, including {ing} {o}.',
  'Occasionally {past} {o}.',
  'Assisted on {o}.',
  'Minor involvement in {ing} {o}.',
  'Side task: {ing} {o}.',
  'Helped out with {label} ({o}).',
  'Other duties included {ing} {o}.',
  'Some exposure to {label} through {ing} {o}.',
  'Pitched in on {o}.',
];

export const SUMMARY_CLOSINGS = [
  'Known for pragmatic, well-tested work.',
  'Comfortable owning problems end to end.',
  'Turns ambiguous problems into shipped results.',
  'Brings a bias for measurable outcomes.',
  'Enjoys mentoring and raising the team\'s bar.',
  'Communicates clearly with technical and business partners.',
  'Motivated by work that customers notice.',
  'Values simple designs and steady delivery.',
];

/** {a_title} is the title with its article ("an Associate Product Manager"). */
export const JD_INTROS = [
  'We are looking for {a_title} to help us {mission}.',
  'As our next {title}, you will {mission}.',
  'Join us as {a_title} and {mission}.',
  'We are hiring {a_title} who wants to {mission}.',
];

export const JD_MISSIONS = [
  'raise the bar on {a1} and {a2} for the {product}',
  'own {a1} and {a2} as we grow the {product}',
  'strengthen our {a1} and {a2} work across {domain}',
  'lead {a1} and {a2} for {users} who rely on the {product}',
];

export const JD_CULTURE = [
  'We offer flexible hours, a learning budget and a hybrid schedule.',
  'We value written communication, ownership and kindness.',
  'You will join a small, senior team that ships every week.',
  'We offer competitive pay, equity and comprehensive health benefits.',
  'We are an equal opportunity employer and value diverse teams.',
];

export const INTERESTS = [
  'Trail running', 'amateur astronomy', 'community gardening', 'chess', 'woodworking', 'jazz piano',
  'rock climbing', 'photography', 'volunteer tutoring', 'cycling', 'baking bread', 'open-source contributions',
  'board games', 'sailing', 'birdwatching', 'pottery',
];

export const AWARDS = [
  'Employee of the Quarter',
  'President\'s Club',
  'Hackathon winner, internal innovation week',
  'Dean\'s List',
  'Spot award for incident response',
  'Team MVP award',
  'Customer Champion award',
];

export const VOLUNTEER = [
  'Mentor, local coding club for high school students',
  'Volunteer, regional food bank logistics',
  'Board member, neighborhood association',
  'Organizer, city tech meetup',
  'Volunteer tutor, adult literacy program',
  'Career coach, university alumni network',
];
