/**
 * What every mapping shares: recognising a lead field from a platform's field label or key, and a
 * draft that collects values into a `LeadInput` without ever losing one (what has no lead field
 * lands in `custom`).
 */
import type { CustomFields, CustomValue, LeadInput } from '../lead';
import { PRINTABLE_ASCII } from '../normalize/text';

/** The text fields of `LeadInput` a platform field can fill. */
export type LeadTextField =
  | 'email'
  | 'phone'
  | 'first_name'
  | 'last_name'
  | 'full_name'
  | 'company'
  | 'job_title'
  | 'country'
  | 'city'
  | 'form'
  | 'campaign'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_term'
  | 'utm_content';

export type ConsentField = 'consent_marketing' | 'consent_terms';

// Keys as fieldKey() spells them. Exact matches only: "Partner email" must not become the lead's
// email, so anything not listed goes to custom.
const SYNONYMS: Record<LeadTextField, readonly string[]> = {
  email: [
    'email',
    'emailaddress',
    'youremail',
    'youremailaddress',
    'workemail',
    'businessemail',
    'mail',
    'courriel',
  ],
  phone: [
    'phone',
    'phonenumber',
    'telephone',
    'telephonenumber',
    'tel',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'mobilephonenumber',
    'cell',
    'cellphone',
    'workphone',
    'workphonenumber',
    'yourphone',
    'yourphonenumber',
    'contactnumber',
  ],
  first_name: ['firstname', 'fname', 'givenname', 'forename', 'yourfirstname', 'prenom', 'vorname'],
  last_name: ['lastname', 'lname', 'surname', 'familyname', 'yourlastname', 'nachname'],
  full_name: ['name', 'fullname', 'yourname', 'yourfullname', 'contactname'],
  company: [
    'company',
    'companyname',
    'yourcompany',
    'organization',
    'organisation',
    'organizationname',
    'organisationname',
    'org',
    'business',
    'businessname',
    'employer',
  ],
  job_title: ['jobtitle', 'title', 'position', 'role', 'jobrole', 'jobposition', 'designation', 'yourrole'],
  country: ['country', 'countryname', 'countrycode', 'countryregion'],
  city: ['city', 'town', 'cityname'],
  form: ['form', 'formname', 'formtitle'],
  campaign: ['campaign', 'campaignname'],
  utm_source: ['utmsource'],
  utm_medium: ['utmmedium'],
  utm_campaign: ['utmcampaign'],
  utm_term: ['utmterm'],
  utm_content: ['utmcontent'],
};

const FIELD_BY_KEY = new Map<string, LeadTextField>(
  (Object.entries(SYNONYMS) as [LeadTextField, readonly string[]][]).flatMap(([field, keys]) =>
    keys.map((key) => [key, field] as const),
  ),
);

/** "First Name", "first_name", "firstName" and "Prénom" all become `firstname` / `prenom`. */
export function fieldKey(label: string): string {
  // Printable ASCII is its own NFKD and holds no combining mark.
  if (PRINTABLE_ASCII.test(label)) return label.toLowerCase().replace(/[^a-z0-9]/g, '');
  return label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * A question that asks for the person's own field: "What is your first name?", "Please enter your
 * email". Only with "your", so "What is your partner's email?" stays a question (custom).
 */
const ASKS_FOR_YOUR =
  /^\s*(?:what(?:'|\u2019)?s|what is|please (?:enter|provide|share|give us|tell us)|enter|tell us|may we have|can we have|could you (?:give|tell) us)\s+your\s+([^?]{1,60}?)[\s?.!:*]*$/i;

export function leadFieldFor(label: string | undefined): LeadTextField | undefined {
  if (label === undefined) return undefined;
  const field = FIELD_BY_KEY.get(fieldKey(label));
  if (field !== undefined) return field;
  const asked = ASKS_FOR_YOUR.exec(label.slice(0, 200))?.[1];
  return asked === undefined ? undefined : FIELD_BY_KEY.get(fieldKey(asked));
}

/** A checkbox's label says which consent it records; marketing is checked first ("I agree to emails"). */
export function consentFieldFor(label: string | undefined): ConsentField | undefined {
  if (label === undefined) return undefined;
  if (/marketing|newsletter|promotion|subscribe|opt[\s_-]?in|communications|updates|emails?\b/i.test(label)) {
    return 'consent_marketing';
  }
  if (/terms|privacy|gdpr|consent|agree/i.test(label)) return 'consent_terms';
  return undefined;
}

/** A value as text: strings, finite numbers, and lists of them joined with ", ". */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (Array.isArray(value)) {
    const items = value.map(asText).filter((item) => item !== undefined);
    return items.length > 0 ? items.join(', ') : undefined;
  }
  return undefined;
}

/** A checkbox's value: booleans, "yes"/"no"-like strings, a checked option list. */
export function asFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value).trim().toLowerCase();
    if (['true', 'yes', 'on', '1', 'checked', 'accepted', 'agree'].includes(text)) return true;
    // An empty string is no answer: a form that did not ask is not a refusal.
    if (['false', 'no', 'off', '0'].includes(text)) return false;
  }
  return undefined;
}

/** What a custom field can hold; empty answers and objects (file uploads, addresses) are left out. */
export function asCustom(value: unknown): CustomValue | undefined {
  if (typeof value === 'string') return asText(value);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return asText(value);
}

/**
 * Collects a lead from a platform's fields. The first value for a field wins, so a mapping lists
 * its most specific sources first (a typed email answer before a field merely called "email").
 */
export class LeadDraft {
  readonly #lead: LeadInput = {};
  readonly #custom: CustomFields = {};

  /** Sets a lead field unless it already has a value; returns whether it did. */
  set(field: LeadTextField, value: unknown): boolean {
    const text = asText(value);
    if (text === undefined || this.#lead[field] !== undefined) return false;
    this.#lead[field] = text;
    return true;
  }

  setConsent(field: ConsentField, value: unknown): boolean {
    const flag = asFlag(value);
    if (flag === undefined || this.#lead[field] !== undefined) return false;
    this.#lead[field] = flag;
    return true;
  }

  /** A labelled value from a form: a lead field if the label names one, a consent, else custom. */
  put(label: string, value: unknown): void {
    const field = leadFieldFor(label);
    if (field !== undefined && this.set(field, value)) return;
    // An empty answer to a lead question is no answer, not a custom field.
    if (field !== undefined && asText(value) === undefined) return;
    // Only a yes/no answer is a consent: "Marketing channels: Email, Phone" is a question.
    const consent = Array.isArray(value) || asFlag(value) === undefined ? undefined : consentFieldFor(label);
    if (consent !== undefined && this.setConsent(consent, value)) return;
    this.custom(label, value);
  }

  custom(key: string, value: unknown): void {
    const custom = asCustom(value);
    if (custom !== undefined && !(key in this.#custom)) this.#custom[key] = custom;
  }

  build(): LeadInput {
    return Object.keys(this.#custom).length > 0
      ? { ...this.#lead, custom: { ...this.#custom } }
      : { ...this.#lead };
  }
}
