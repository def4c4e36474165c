/**
 * Providers whose webhooks are not lead forms but often carry a person (a Stripe customer, a Shopify
 * order, an Intercom contact, a Twilio SMS sender), and automation tools posting their own JSON
 * (Zapier, Pipedrive, Mailchimp, Svix). Each is verified by its preset and mapped by picking the
 * paths where that provider puts contact fields; anything else in the payload stays in the stored
 * event, not in the lead. An event with no contact field is stored as `invalid` (`no_contact`).
 */
import * as v from 'valibot';
import type { LeadInput } from '../leads/lead';
import type { LeadTextField } from '../leads/mappings/fields';
import { presets } from './presets';
import { textAt } from './presets/payload';
import { defineSource, type Preset, type Source, type SourceFactory } from './types';

type Paths = Partial<Record<LeadTextField, readonly string[]>>;

/** Any JSON object (or form); the provider's own schema is its business, the contact paths are ours. */
const AnyObject = v.record(v.string(), v.unknown());

/** A mapping that reads each lead field from the first of its dotted paths that holds text. */
function pick(paths: Paths): (payload: Record<string, unknown>) => LeadInput {
  return (payload) => {
    const lead: LeadInput = {};
    for (const [field, candidates] of Object.entries(paths) as [LeadTextField, readonly string[]][]) {
      for (const path of candidates) {
        const value = textAt(payload, ...path.split('.'));
        if (value !== undefined) {
          lead[field] = value;
          break;
        }
      }
    }
    return lead;
  };
}

function contactSource(
  preset: Preset,
  paths: Paths,
  events?: Pick<Source, 'eventType' | 'events'>,
): SourceFactory {
  const toLead = pick(paths);
  return (name, options) => defineSource({ ...options, name, preset, schema: AnyObject, toLead, ...events });
}

const stripeSource = contactSource(presets.stripe, {
  email: ['data.object.email', 'data.object.customer_details.email', 'data.object.receipt_email'],
  full_name: ['data.object.name', 'data.object.customer_details.name'],
  phone: ['data.object.phone', 'data.object.customer_details.phone'],
  country: ['data.object.address.country', 'data.object.customer_details.address.country'],
  city: ['data.object.address.city', 'data.object.customer_details.address.city'],
});

const shopifySource = contactSource(presets.shopify, {
  email: ['email', 'customer.email', 'contact_email'],
  first_name: ['first_name', 'customer.first_name', 'billing_address.first_name'],
  last_name: ['last_name', 'customer.last_name', 'billing_address.last_name'],
  phone: ['phone', 'customer.phone', 'billing_address.phone'],
  company: ['default_address.company', 'billing_address.company'],
  country: ['default_address.country_code', 'billing_address.country_code'],
  city: ['default_address.city', 'billing_address.city'],
});

const intercomSource = contactSource(presets.intercom, {
  email: ['data.item.email', 'data.item.user.email'],
  full_name: ['data.item.name', 'data.item.user.name'],
  phone: ['data.item.phone'],
});

const paddleSource = contactSource(presets.paddle, {
  email: ['data.email', 'data.customer.email'],
  full_name: ['data.name', 'data.customer.name'],
});

/** An SMS or a form posted to Twilio: the sender's number is the lead. */
const twilioSource = contactSource(presets.twilio, {
  phone: ['From'],
  country: ['FromCountry'],
  city: ['FromCity'],
});

const mandrillSource = contactSource(presets.mandrill, {});
const githubSource = contactSource(presets.github, {
  email: ['sender.email', 'pusher.email'],
});
const slackSource = contactSource(presets.slack, {
  email: ['event.user.profile.email', 'user.email'],
});

/**
 * Pipedrive webhooks v2 (`create.person`, `change.person`; `meta.action` and `meta.entity`), behind
 * HTTP Basic auth. A deletion (`data: null`, the record in `previous`) and other entities' events
 * are not leads.
 */
const pipedriveSource = contactSource(
  presets.pipedrive,
  {
    // v2 puts the person in `data`; v1 (still sent by webhooks made before v2) in `current`.
    email: ['data.emails.0.value', 'data.email.0.value', 'current.email.0.value'],
    phone: ['data.phones.0.value', 'data.phone.0.value', 'current.phone.0.value'],
    full_name: ['data.name', 'current.name'],
    first_name: ['data.first_name', 'current.first_name'],
    last_name: ['data.last_name', 'current.last_name'],
    company: ['data.org_name', 'current.org_name'],
  },
  {
    eventType: (payload) => {
      const action = textAt(payload, 'meta', 'action');
      const entity = textAt(payload, 'meta', 'entity') ?? textAt(payload, 'meta', 'object');
      return action && entity ? `${action}.${entity}` : undefined;
    },
    events: {
      types: {
        'create.person': 'lead',
        'change.person': 'lead',
        'added.person': 'lead',
        'updated.person': 'lead',
      },
      other: 'ignore',
    },
  },
);

/** Mailchimp audience webhooks (form-encoded `data[email]`, `data[merges][FNAME]`), with a URL token. */
const mailchimpSource = contactSource(
  presets.mailchimp,
  {
    email: ['data[email]', 'data[merges][EMAIL]', 'data[new_email]'],
    first_name: ['data[merges][FNAME]'],
    last_name: ['data[merges][LNAME]'],
    phone: ['data[merges][PHONE]'],
  },
  {
    eventType: (payload) => textAt(payload, 'type'),
    // A campaign's sending status is not about a person.
    events: {
      types: {
        subscribe: 'lead',
        profile: 'lead',
        upemail: 'lead',
        unsubscribe: 'update',
        cleaned: 'update',
      },
      other: 'ignore',
    },
  },
);

/** Providers read by contact paths, by source type. */
export const contactSources = {
  stripe: stripeSource,
  shopify: shopifySource,
  intercom: intercomSource,
  paddle: paddleSource,
  twilio: twilioSource,
  mandrill: mandrillSource,
  github: githubSource,
  slack: slackSource,
  pipedrive: pipedriveSource,
  mailchimp: mailchimpSource,
} as const satisfies Record<string, SourceFactory>;
