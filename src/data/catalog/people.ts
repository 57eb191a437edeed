// Names, places, schools and company-name parts for generated personas. All people, schools and
// companies are fictional combinations; phone numbers use the 555-01xx range reserved for fiction.
import type { Rng } from '../../io/rng.js';

export const FIRST_NAMES = [
  'Aisha', 'Alejandro', 'Amara', 'Andre', 'Anika', 'Ben', 'Camila', 'Chen', 'Chloe', 'Daniel', 'Darius', 'Deepa',
  'Diego', 'Elena', 'Emeka', 'Emily', 'Farah', 'Fatima', 'Gabriel', 'Grace', 'Hana', 'Hassan', 'Ines', 'Isaac',
  'Jamal', 'Jasmine', 'Javier', 'Jin', 'Jordan', 'Julia', 'Kai', 'Kavya', 'Kenji', 'Laila', 'Leo', 'Lucia',
  'Malik', 'Maria', 'Mateo', 'Maya', 'Mei', 'Mohammed', 'Nadia', 'Naomi', 'Nikhil', 'Noah', 'Nora', 'Olivia',
  'Omar', 'Priya', 'Rafael', 'Rahul', 'Rebecca', 'Rosa', 'Ryan', 'Samir', 'Sara', 'Sean', 'Sofia', 'Tariq',
  'Thomas', 'Tomás', 'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zara', 'Zoe', 'Lars', 'Ingrid', 'Marcus',
  'Adaeze', 'Bilal', 'Carmen', 'Dmitri', 'Esther', 'Felix', 'Gwen', 'Hiroshi',
];

export const LAST_NAMES = [
  'Adeyemi', 'Alvarez', 'Anderson', 'Bakshi', 'Becker', 'Bennett', 'Brooks', 'Castillo', 'Chandra', 'Chen',
  'Costa', 'Das', 'Dubois', 'Edwards', 'Eriksen', 'Fernandes', 'Fischer', 'Garcia', 'Gupta', 'Haddad',
  'Hansen', 'Hoang', 'Hughes', 'Ibrahim', 'Ito', 'Jensen', 'Johnson', 'Kaur', 'Khan', 'Kim', 'Kowalski',
  'Lee', 'Lindqvist', 'Lopez', 'Mahmoud', 'Martin', 'Mensah', 'Miller', 'Morales', 'Murphy', 'Nakamura',
  'Nguyen', 'Novak', 'Okafor', 'Okoye', 'Olsen', 'Park', 'Patel', 'Pereira', 'Petrov', 'Quinn', 'Ramirez',
  'Reddy', 'Reyes', 'Rossi', 'Sato', 'Schmidt', 'Shah', 'Silva', 'Singh', 'Sokolov', 'Suzuki', 'Tanaka',
  'Thompson', 'Torres', 'Tran', 'Turner', 'Varga', 'Wagner', 'Walker', 'Wang', 'Williams', 'Wong', 'Yamamoto',
  'Yilmaz', 'Young', 'Zhang', 'Zielinski', "O'Brien", 'Abbott',
];

export const CITIES = [
  'Austin, TX', 'Seattle, WA', 'Denver, CO', 'Chicago, IL', 'Atlanta, GA', 'Boston, MA', 'Raleigh, NC',
  'Portland, OR', 'Minneapolis, MN', 'Pittsburgh, PA', 'San Diego, CA', 'Columbus, OH', 'Salt Lake City, UT',
  'Nashville, TN', 'Phoenix, AZ', 'New York, NY', 'San Francisco, CA', 'Philadelphia, PA', 'Detroit, MI',
  'Toronto, ON', 'Vancouver, BC', 'London, UK', 'Dublin, Ireland', 'Berlin, Germany', 'Amsterdam, Netherlands',
  'Sydney, Australia', 'Singapore', 'Remote (US)', 'Remote (EU)',
];

const PLACES = [
  'Lakeshore', 'Northfield', 'Riverton', 'Westbrook', 'Ashford', 'Kingsport', 'Maplewood', 'Fairview',
  'Brookhaven', 'Crestview', 'Eastgate', 'Pinecrest', 'Stonebridge', 'Hollis', 'Marlow', 'Redfield',
  'Granton', 'Summerset', 'Bayview', 'Elmhurst', 'Clearwater', 'Highland', 'Oakridge', 'Silverlake',
];

const SCHOOL_PATTERNS = [
  (p: string) => `${p} State University`,
  (p: string) => `University of ${p}`,
  (p: string) => `${p} Institute of Technology`,
  (p: string) => `${p} College`,
  (p: string) => `${p} Polytechnic University`,
];

export function schoolName(r: Rng): string {
  return r.pick(SCHOOL_PATTERNS)(r.pick(PLACES));
}

const NAME_HEADS = [
  'North', 'Blue', 'Bright', 'Summit', 'Iron', 'Silver', 'Clear', 'Harbor', 'Red', 'Pine', 'Cedar', 'Nova',
  'Apex', 'Lumen', 'Crest', 'Stone', 'River', 'Oak', 'Maple', 'Granite', 'Beacon', 'Atlas', 'Vertex',
  'Meridian', 'Horizon', 'Keystone', 'Tidal', 'Aurora', 'Sterling', 'Evergreen', 'Juniper', 'Copper',
  'Falcon', 'Sparrow', 'Willow', 'Orbit', 'Polar', 'Quill', 'Prairie', 'Coral',
];
const NAME_TAILS = ['wind', 'peak', 'field', 'line', 'path', 'bridge', 'gate', 'point', 'wave', 'light', 'view', 'mark', 'ridge', 'shore', 'works', 'stone'];
const COMPANY_SUFFIXES = ['', '', '', ' Inc.', ' Group', ' Labs', ' Systems', ' Partners', ' Co.', ' Technologies'];

/** A fictional company name built from generic parts and the vertical's words. */
export function companyName(r: Rng, words: readonly string[]): string {
  const head = r.pick(NAME_HEADS);
  const word = r.pick(words);
  switch (r.int(0, 2)) {
    case 0:
      return `${head}${r.pick(NAME_TAILS)} ${word}`;
    case 1:
      return `${head} ${word}${r.pick(COMPANY_SUFFIXES.filter((x) => x.trim() !== word))}`;
    default:
      return `${head}${r.pick(NAME_TAILS)}${r.pick(COMPANY_SUFFIXES.filter((s) => s !== ''))}`;
  }
}

/** ASCII handle for email/LinkedIn ("Tomás O'Brien" -> "tomas.obrien"). */
export function handle(first: string, last: string): string {
  const clean = (s: string): string =>
    s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();
  return `${clean(first)}.${clean(last)}`;
}

export function phoneNumber(r: Rng): string {
  return `(${r.int(201, 989)}) 555-01${String(r.int(0, 99)).padStart(2, '0')}`;
}
