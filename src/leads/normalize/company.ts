/**
 * Company rule: strip emoji, keep only a CRM-safe character set, collapse spaces, and move a job
 * title that was typed into the company field ("CEO @ Acme", "Acme - Head of Sales") to
 * `job_title` when the lead has none.
 */
import type { Original } from '../lead';
import { changedFrom, cleanText, definedOnly, plainPunctuation } from './text';

export interface CompanyInput {
  company?: string | undefined;
  job_title?: string | undefined;
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
const TRAILING_JUNK = /[ \-,:/&+@#_]+$/u;

// Words that make a phrase a job title. English only: the forms that write "CEO @ Acme" are.
const TITLE_WORD =
  /\b(?:ceo|cto|cfo|coo|cmo|cio|cpo|cro|ciso|vp|svp|evp|founder|co-founder|cofounder|owner|president|director|head|manager|lead|chief|officer|engineer|developer|consultant|partner|principal|analyst|designer|architect|specialist|coordinator|executive|associate|assistant|intern|administrator|recruiter|representative|advisor|adviser|strategist|scientist|researcher|accountant|attorney|freelancer)\b/i;

/** The company and job title as they reach the CRM: safe characters, single spaces. */
export function cleanCompanyText(raw: string | undefined): string | undefined {
  const text = cleanText(raw, { stripEmoji: true });
  if (text === undefined) return undefined;
  // A pipe between two phrases is a separator; turn it into the one the title split knows.
  const safe = plainPunctuation(text)
    .replace(/\s*\|\s*/g, ' - ')
    .replace(OUTSIDE_CRM_SAFE, ' ');
  return cleanText(trimJunk(cleanText(safe) ?? ''));
}

export function normalizeCompany(input: CompanyInput): CompanyResult {
  const company = cleanCompanyText(input.company);
  const givenTitle = cleanCompanyText(input.job_title);
  const split = givenTitle === undefined && company !== undefined ? splitJobTitle(company) : undefined;
  const companyOut = split?.company ?? company;
  const titleOut = givenTitle ?? split?.job_title;
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
export function splitJobTitle(text: string): { company: string; job_title: string } | undefined {
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

function parts(company: string, title: string): { company: string; job_title: string } | undefined {
  const companyOut = cleanText(trimJunk(company));
  const titleOut = cleanText(trimJunk(title));
  return companyOut && titleOut ? { company: companyOut, job_title: titleOut } : undefined;
}

function trimJunk(text: string): string {
  return text.replace(LEADING_JUNK, '').replace(TRAILING_JUNK, '');
}
