// The Summary section's one line: role, years and two work areas (the JD's focus, or other areas
// for wrong_emphasis), kept within one layout line.
import { SUMMARY_CLOSINGS } from './catalog/phrases.js';
import { codePoints, WRAP_WIDTH } from './layout.js';
import type { PersonaContext } from './persona.js';
import type { Rng } from '../io/rng.js';

export function summaryLine(p: PersonaContext, labels: string[], r: Rng): string {
  const [a1, a2] = labels as [string, string];
  const adj = ['Early-career', 'Early-career', 'Experienced', 'Seasoned', 'Seasoned', 'Veteran'][p.level] as string;
  const closing = r.pick(SUMMARY_CLOSINGS);
  const y = p.years;
  const options =
    p.level === 0
      ? [
          `${p.role.name} with internship and project experience in ${a1} and ${a2}. ${closing}`,
          `${adj} ${p.role.name} with hands-on ${a1} and ${a2} experience from internships and projects. ${closing}`,
        ]
      : [
          `${p.role.name} with ${y}+ years of experience in ${a1} and ${a2}, most recently in ${p.vertical.prose}. ${closing}`,
          `${p.role.name} with ${y}+ years in ${p.role.field}, focused on ${a1} and ${a2} in ${p.vertical.prose}. ${closing}`,
          `${adj} ${p.role.name} (${y}+ years) who specializes in ${a1} and ${a2}. ${closing}`,
        ];
  const fits = options.filter((s) => codePoints(s) <= WRAP_WIDTH);
  return r.pick(fits.length > 0 ? fits : [`${p.role.name} focused on ${a1} and ${a2}.`]);
}
