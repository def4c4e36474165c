/**
 * Company rule: strip emoji, keep only a CRM-safe character set, collapse spaces, treat placeholders
 * ("N/A", "none", "-") as no value, and move a job title that was typed into the company field
 * ("CEO @ Acme", "Acme - Head of Sales", or a title alone: "Marketing Manager") to `job_title` when
 * the lead has none.
 */
import type { Original } from '../lead';
import { changedFrom, cleanText, definedOnly, isPlaceholder, plainPunctuation, trimEndOf } from './text';

export interface CompanyInput {
  company?: string | undefined;
  job_title?: string | undefined;
}

export interface TitleSplit {
  company?: string;
  job_title: string;
}

export interface CompanyResult {
  company?: string;
  job_title?: string;
  original: Pick<Original, 'company' | 'job_title'>;
}

/**
 * Letters and combining marks of any script, digits, space and `& ' . , - / ( ) + @ # ! : _`.
 * Everything else (emoji, ™, quotes, `;`, `|`, `<>`, `"`) becomes a space: those characters break
 * CSV exports, mail-merge templates and some CRM import parsers, and no company needs them.
 */
const OUTSIDE_CRM_SAFE = /[^\p{L}\p{M}\p{N} &'.,\-/()+@#!:_]/gu;
// Punctuation a name does not start or end with; a trailing "." ("Inc.") or "!" ("Yahoo!") stays.
const LEADING_JUNK = /^[ \-,.:/&+@#!_]+/u;
// Trimmed by a loop (trimEndOf): a `[...]+$` regex is quadratic on a long run of these.
const TRAILING_JUNK = ' -,:/&+@#_';

// Words that make a phrase a job title. English only: the forms that write "CEO @ Acme" are.
const TITLE_WORD =
  /\b(?:ceo|cto|cfo|coo|cmo|cio|cpo|cro|ciso|vp|svp|evp|founder|co-founder|cofounder|owner|president|director|head|manager|lead|chief|officer|engineer|developer|consultant|partner|principal|analyst|designer|architect|specialist|coordinator|executive|associate|assistant|intern|administrator|recruiter|representative|advisor|adviser|strategist|scientist|researcher|accountant|attorney|freelancer)\b/i;

/**
 * The vocabulary a company field must be made of, word for word, to be a job title alone and move
 * to `job_title`: at least one role word, every other word a role or a qualifier. One word outside
 * it ("Acme Marketing Ltd", "Sales Partners") keeps the text a company. Words are compared in
 * lowercase, split at anything but a letter or digit ("Co-Founder" is "co" + "founder",
 * "Founder & CEO" is "founder" + "ceo"). English only, like TITLE_WORD.
 */
const ROLE_WORDS = new Set(
  `ceo cto cfo coo cmo cio cpo cro cso cdo cco chro ciso vp svp evp avp md gm founder cofounder owner
  president director head manager lead chief officer engineer developer programmer consultant partner
  principal analyst designer architect specialist coordinator executive associate assistant intern
  trainee administrator recruiter representative rep sdr bdr advisor adviser strategist scientist
  researcher accountant attorney lawyer counsel freelancer supervisor secretary treasurer chair
  chairman chairwoman chairperson controller auditor editor producer marketer technician member
  entrepreneur`.split(/\s+/),
);
const TITLE_QUALIFIERS = new Set(
  `co senior sr junior jr staff deputy vice general managing interim acting founding technical
  regional global national international area country group board of the and for in
  marketing sales engineering product products operations ops finance financial accounting hr human
  resources people talent culture it technology tech information data science digital growth business
  development bd customer customers client success support service services account accounts brand
  content communications communication comms design creative legal compliance security software
  hardware research procurement purchasing supply chain logistics strategy strategic partnerships
  revenue commercial project projects program programme quality qa devops infrastructure platform
  cloud web mobile frontend backend fullstack full stack ux ui user experience media social public
  relations pr events community performance demand generation office administration analytics ai
  ml emea apac latam americas europe`.split(/\s+/),
);
// Words in a title at most: a longer text is a sentence or a company, not a title.
const TITLE_MAX_WORDS = 8;

/** Whether the whole text is a job title from the vocabulary above ("Head of Sales", "VP Engineering"). */
export function isJobTitleAlone(text: string): boolean {
  if (text.length > 120) return false;
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
  return (
    words.length > 0 &&
    words.length <= TITLE_MAX_WORDS &&
    words.some((word) => ROLE_WORDS.has(word)) &&
    words.every((word) => ROLE_WORDS.has(word) || TITLE_QUALIFIERS.has(word))
  );
}

/** The company and job title as they reach the CRM: safe characters, single spaces, no placeholder. */
export function cleanCompanyText(raw: string | undefined): string | undefined {
  const text = cleanText(raw, { stripEmoji: true });
  if (text === undefined) return undefined;
  // A pipe between two phrases is a separator; turn it into the one the title split knows.
  const safe = plainPunctuation(text)
    .replace(/\s*\|\s*/g, ' - ')
    .replace(OUTSIDE_CRM_SAFE, ' ');
  const clean = cleanText(trimJunk(cleanText(safe) ?? ''));
  return clean === undefined || isPlaceholder(clean) ? undefined : clean;
}

export function normalizeCompany(input: CompanyInput): CompanyResult {
  const company = cleanCompanyText(input.company);
  const givenTitle = cleanCompanyText(input.job_title);
  // A title alone moves whole, before any split: "Head of Sales - EMEA" is one title, not a title
  // at a company called EMEA.
  const alone = givenTitle === undefined && company !== undefined && isJobTitleAlone(company);
  const split =
    givenTitle === undefined && company !== undefined && !alone ? splitJobTitle(company) : undefined;
  const companyOut = alone ? undefined : split ? split.company : company;
  const titleOut = givenTitle ?? (alone ? company : split?.job_title);
  return {
    ...definedOnly({ company: companyOut, job_title: titleOut }),
    original: definedOnly({
      company: changedFrom(input.company, companyOut),
      job_title: changedFrom(input.job_title, titleOut),
    }),
  };
}

/**
 * "CEO @ Acme", "Head of Sales at Acme", "Acme - Head of Sales", "Acme, CTO": the side that reads
 * as a job title goes to `job_title`. When both sides or neither do ("Smith, Jones & Co"), the
 * text is a company name and is left whole.
 */
export function splitJobTitle(text: string): TitleSplit | undefined {
  const titleFirst = /^(.+?)\s*@\s*(.+)$/u.exec(text) ?? /^(.+?)\s+at\s+(.+)$/iu.exec(text);
  if (titleFirst) {
    const [, title = '', company = ''] = titleFirst;
    if (isTitle(title) && !isTitle(company)) return parts(company, title);
  }
  const separated = /^(.+?)\s+-\s+(.+)$/u.exec(text) ?? /^(.+?),\s+(.+)$/u.exec(text);
  if (separated) {
    const [, left = '', right = ''] = separated;
    if (isTitle(right) && !isTitle(left)) return parts(left, right);
    if (isTitle(left) && !isTitle(right)) return parts(right, left);
  }
  return undefined;
}

function isTitle(phrase: string): boolean {
  return TITLE_WORD.test(phrase);
}

// A company side that is a placeholder ("N/A - CEO") leaves the title and no company.
function parts(company: string, title: string): TitleSplit | undefined {
  const companyOut = cleanText(trimJunk(company));
  const titleOut = cleanText(trimJunk(title));
  if (!companyOut || !titleOut) return undefined;
  return isPlaceholder(companyOut) ? { job_title: titleOut } : { company: companyOut, job_title: titleOut };
}

function trimJunk(text: string): string {
  return trimEndOf(text.replace(LEADING_JUNK, ''), TRAILING_JUNK);
}
