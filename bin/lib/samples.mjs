/**
 * A realistic sample payload per source type, so each provider can be tried against a gateway
 * before going live: the payload fixtures of test/fixtures (captured or published by the provider)
 * where there is one, with fresh ids and times so each send is a new event, and the given email.
 * Each type also says how its body is encoded and which headers besides the signature its
 * provider sends (an event type, a user agent); those apply to a user's own payload file too.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from './errors.mjs';
import { rootPath } from './root.mjs';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = `${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomFrom = (alphabet, length) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
const randomHex = (length) => randomFrom('0123456789abcdef', length);
const randomDigits = (length) => String(randomInt(1, 10)) + randomFrom('0123456789', length - 1);
const seconds = (ms = Date.now()) => Math.floor(ms / 1000);
const isoSeconds = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const fixture = (path) => JSON.parse(readFileSync(rootPath(`test/fixtures/${path}`), 'utf8'));

/** A deep copy of `value` with every occurrence of the fixture's email replaced by `email`. */
function withEmail(value, from, email) {
  if (typeof value === 'string') return value.split(from).join(email);
  if (Array.isArray(value)) return value.map((item) => withEmail(item, from, email));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEmail(v, from, email)]));
  }
  return value;
}

/** A number in the 555-0100..0199 range, reserved for fiction. */
const fictionalPhone = () => `+1415555${String(randomInt(100, 200)).padStart(4, '0')}`;

/** Sets `value` at a dotted path (`contact.mail`), creating the objects on the way. */
function setPath(target, path, value) {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  node[keys.at(-1)] = value;
}

/**
 * A flat lead, each field at the key the source reads it from: its `fields` map where it has one
 * (a Make scenario's `contact.mail`), the field's own name otherwise. A little untidy on purpose
 * (a lower-case name, a national phone), so `inlet show` has a normalisation to show.
 */
function flatLead({ email, name, entry }) {
  const lead = {
    email,
    phone: '(415) 555-0132',
    first_name: 'ada',
    last_name: 'Lovelace',
    company: 'Analytical Engines Ltd',
    job_title: 'Head of Computing',
    utm_source: name,
    utm_campaign: 'launch',
  };
  const payload = {};
  for (const [field, value] of Object.entries(lead)) {
    const keys = entry?.fields?.[field];
    setPath(payload, (Array.isArray(keys) ? keys[0] : keys) ?? field, value);
  }
  return payload;
}

async function metaLead({ email, graph }) {
  const leadgenId = `${Date.now()}${randomDigits(3)}`;
  const lead = fixture('meta/lead.json');
  lead.id = leadgenId;
  lead.created_time = new Date().toISOString().replace(/\.\d+Z$/, '+0000');
  lead.field_data = lead.field_data.map((field) =>
    field.name === 'email' ? { ...field, values: [email] } : field,
  );
  // Lead Ads webhooks carry only the lead's id; the gateway reads the lead from the Graph API,
  // so the fake one `npm run dev` starts must know it first.
  const control = `${graph.replace(/\/+$/, '').replace(/\/v\d+\.\d+$/, '')}/__control/leads`;
  let registered;
  try {
    registered = await fetch(control, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: leadgenId, lead }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CliError(
      EXIT.failed,
      `cannot reach the fake Graph API at ${graph} (${error.cause?.code ?? error.message})`,
      {
        hint: '`npm run dev` starts it; --graph points elsewhere',
      },
    );
  }
  if (!registered.ok)
    throw new CliError(EXIT.failed, `the fake Graph API answered ${registered.status} at ${control}`);
  const webhook = fixture('meta/leadgen-webhook.json');
  const [entry] = webhook.entry;
  entry.time = seconds();
  entry.changes = [entry.changes[0]];
  entry.changes[0].value.leadgen_id = leadgenId;
  entry.changes[0].value.created_time = seconds();
  return webhook;
}

/**
 * Per source type: `kind` (how the body is encoded: json, form or multipart), `headers()` (sent
 * besides the signature), `sample(context)` (the payload: an object, or form fields), and `expect`
 * (how its sample ends, when not `delivered`).
 */
export const SAMPLES = {
  flat: { kind: 'json', sample: flatLead },

  typeform: {
    kind: 'json',
    headers: () => ({ 'user-agent': 'Typeform Webhooks' }),
    sample({ email }) {
      const payload = withEmail(
        fixture('typeform/contact-form.json'),
        'priya.raman@northwind.example',
        email,
      );
      payload.event_id = randomFrom(CROCKFORD, 26);
      payload.form_response.token = payload.event_id.toLowerCase();
      payload.form_response.landed_at = isoSeconds(Date.now() - 82_000);
      payload.form_response.submitted_at = isoSeconds();
      return payload;
    },
  },

  calendly: {
    kind: 'json',
    sample({ email }) {
      const payload = withEmail(fixture('calendly/invitee-created.json'), 'Marie.Dubois@Exemple.fr', email);
      const now = new Date().toISOString().replace('Z', '000Z');
      payload.created_at = now;
      payload.payload.created_at = now;
      payload.payload.uri = `${payload.payload.event}/invitees/${randomFrom(CROCKFORD, 16)}`;
      return payload;
    },
  },

  hubspot: {
    kind: 'json',
    sample({ email }) {
      const payload = withEmail(fixture('hubspot/forms-submission.json'), 'lena.schmidt@beispiel.de', email);
      payload.submittedAt = String(Date.now());
      payload.context.hutk = randomHex(32);
      return payload;
    },
  },

  meta: { kind: 'json', sample: metaLead },

  zoom: {
    kind: 'json',
    sample({ email }) {
      const payload = withEmail(
        fixture('zoom/registration-created.json'),
        'kwame.mensah@orbit.example',
        email,
      );
      payload.event_ts = Date.now();
      payload.payload.object.registrant.id = randomFrom(MIXED, 20);
      return payload;
    },
  },

  tally: {
    kind: 'json',
    sample({ email }) {
      const payload = withEmail(fixture('tally/form-response.json'), 'jose@garcia-lopez.example', email);
      payload.eventId = randomUUID();
      payload.createdAt = new Date().toISOString();
      payload.data.responseId = randomFrom(MIXED, 6);
      payload.data.submissionId = payload.data.responseId;
      payload.data.createdAt = new Date().toISOString().replace(/\.\d+Z$/, '.000Z');
      return payload;
    },
  },

  jotform: {
    // Jotform posts a multipart form; its only credential is the token in the webhook URL.
    kind: 'multipart',
    sample({ email }) {
      const payload = withEmail(
        fixture('jotform/submission.json'),
        'OLIVIA.MCDONALD@HIGHLAND.EXAMPLE',
        email,
      );
      payload.submissionID = randomDigits(19);
      const raw = JSON.parse(payload.rawRequest);
      raw.submitDate = String(Date.now());
      raw.event_id = `${Date.now()}_${payload.formID}_${randomFrom(ALNUM, 7)}`;
      payload.rawRequest = JSON.stringify(raw);
      return payload;
    },
  },

  webflow: {
    kind: 'json',
    sample({ email }) {
      const payload = withEmail(fixture('webflow/form-submission.json'), 'zaphod@heartofgold.example', email);
      payload.payload.id = randomHex(24);
      payload.payload.submittedAt = new Date().toISOString();
      return payload;
    },
  },

  calcom: {
    kind: 'json',
    sample({ email }) {
      const payload = withEmail(
        fixture('calcom/booking-created.json'),
        'ada@okafor-consulting.example',
        email,
      );
      const uid = randomFrom(MIXED, 18);
      payload.createdAt = new Date().toISOString();
      payload.payload.uid = uid;
      payload.payload.bookingId = Number(randomDigits(6));
      payload.payload.metadata.videoCallUrl = `https://app.cal.com/video/${uid}`;
      return payload;
    },
  },

  stripe: {
    kind: 'json',
    sample({ email }) {
      const created = seconds();
      return {
        id: `evt_${randomFrom(MIXED, 24)}`,
        object: 'event',
        api_version: '2025-10-29.clover',
        created,
        data: {
          object: {
            id: `cus_${randomFrom(MIXED, 14)}`,
            object: 'customer',
            address: {
              city: 'Arlington',
              country: 'US',
              line1: '1000 Wilson Blvd',
              line2: null,
              postal_code: '22209',
              state: 'VA',
            },
            balance: 0,
            created,
            currency: null,
            description: null,
            email,
            invoice_prefix: randomFrom(CROCKFORD, 8),
            livemode: false,
            metadata: {},
            name: 'Grace Hopper',
            phone: '+17035550146',
            preferred_locales: ['en-US'],
            tax_exempt: 'none',
          },
        },
        livemode: false,
        pending_webhooks: 1,
        request: { id: `req_${randomFrom(MIXED, 14)}`, idempotency_key: randomUUID() },
        type: 'customer.created',
      };
    },
  },

  shopify: {
    kind: 'json',
    headers: () => ({
      'x-shopify-topic': 'customers/create',
      'x-shopify-shop-domain': 'inlet-dev.myshopify.com',
      'x-shopify-api-version': '2025-10',
      'x-shopify-event-id': randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
    }),
    sample({ email }) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, '-00:00');
      const id = Number(randomDigits(13));
      const address = {
        id: Number(randomDigits(13)),
        customer_id: id,
        first_name: 'Margaret',
        last_name: 'Hamilton',
        company: 'Hamilton Technologies',
        address1: '17 Brattle St',
        address2: null,
        city: 'Cambridge',
        province: 'Massachusetts',
        country: 'United States',
        zip: '02138',
        phone: '+16175550173',
        name: 'Margaret Hamilton',
        province_code: 'MA',
        country_code: 'US',
        country_name: 'United States',
        default: true,
      };
      return {
        id,
        email,
        created_at: now,
        updated_at: now,
        first_name: 'Margaret',
        last_name: 'Hamilton',
        orders_count: 0,
        state: 'disabled',
        total_spent: '0.00',
        last_order_id: null,
        note: null,
        verified_email: true,
        tax_exempt: false,
        tags: '',
        currency: 'USD',
        phone: '+16175550173',
        addresses: [],
        email_marketing_consent: {
          state: 'subscribed',
          opt_in_level: 'single_opt_in',
          consent_updated_at: now,
        },
        admin_graphql_api_id: `gid://shopify/Customer/${id}`,
        default_address: address,
      };
    },
  },

  slack: {
    kind: 'json',
    // An app mention carries no contact: the gateway keeps it as `invalid`.
    expect: 'invalid',
    headers: () => ({ 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' }),
    sample() {
      const ts = seconds();
      return {
        token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
        team_id: 'T0INLETDEV',
        api_app_id: 'A0INLETDEV',
        event: {
          type: 'app_mention',
          user: 'U061F7AUR',
          text: '<@U0LAN0Z89> can you send me the pricing sheet?',
          ts: `${ts}.000200`,
          channel: 'C0LAN2Q65',
          event_ts: `${ts}.000200`,
        },
        type: 'event_callback',
        event_id: `Ev${randomFrom(CROCKFORD, 9)}`,
        event_time: ts,
        authorizations: [{ team_id: 'T0INLETDEV', user_id: 'U0LAN0Z89', is_bot: true }],
      };
    },
  },

  twilio: {
    // An SMS: the lead is the sender's phone, so an email is not used.
    kind: 'form',
    headers: () => ({ 'user-agent': 'TwilioProxy/1.1', 'i-twilio-idempotency-token': randomUUID() }),
    sample() {
      const sid = `SM${randomHex(32)}`;
      return {
        ToCountry: 'US',
        ToState: 'CA',
        SmsMessageSid: sid,
        NumMedia: '0',
        ToCity: 'SAN FRANCISCO',
        FromZip: '94105',
        SmsSid: sid,
        FromState: 'CA',
        SmsStatus: 'received',
        FromCity: 'SAN FRANCISCO',
        Body: 'Hi! Saw your ad, can someone call me about a demo?',
        FromCountry: 'US',
        To: '+14155550199',
        ToZip: '94103',
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: `AC${randomHex(32)}`,
        From: fictionalPhone(),
        ApiVersion: '2010-04-01',
      };
    },
  },

  paddle: {
    kind: 'json',
    sample({ email }) {
      const now = new Date().toISOString();
      return {
        event_id: `evt_${randomFrom(ALNUM, 26)}`,
        event_type: 'customer.created',
        occurred_at: now,
        notification_id: `ntf_${randomFrom(ALNUM, 26)}`,
        data: {
          id: `ctm_${randomFrom(ALNUM, 26)}`,
          name: 'Hedy Lamarr',
          email,
          locale: 'en',
          status: 'active',
          custom_data: null,
          created_at: now,
          updated_at: now,
          marketing_consent: false,
          import_meta: null,
        },
      };
    },
  },

  mandrill: {
    // A transactional email's `send` event is not a lead: the gateway keeps it as `invalid`.
    kind: 'form',
    expect: 'invalid',
    headers: () => ({ 'user-agent': 'Mandrill-Webhook/1.0' }),
    sample({ email }) {
      const ts = seconds();
      const events = [
        {
          event: 'send',
          _id: randomHex(32),
          ts,
          msg: {
            ts,
            subject: 'Your Inlet demo is booked',
            email,
            sender: 'hello@inlet.example',
            tags: ['demo-booked'],
            state: 'sent',
            metadata: { user_id: 'usr_1042' },
            _id: randomHex(32),
            _version: randomHex(22),
          },
        },
      ];
      return { mandrill_events: JSON.stringify(events) };
    },
  },

  intercom: {
    kind: 'json',
    headers: () => ({ 'user-agent': 'intercom-parrot-service-rb' }),
    sample({ email }) {
      const created = seconds();
      return {
        type: 'notification_event',
        app_id: 'inletdev',
        data: {
          type: 'notification_event_data',
          item: {
            type: 'contact',
            id: randomHex(24),
            workspace_id: 'inletdev',
            external_id: null,
            role: 'lead',
            email,
            phone: '+442079460321',
            name: 'Alan Turing',
            avatar: null,
            owner_id: null,
            has_hard_bounced: false,
            marked_email_as_spam: false,
            unsubscribed_from_emails: false,
            created_at: created,
            updated_at: created,
            signed_up_at: null,
            last_seen_at: created,
            browser: 'chrome',
            os: 'OS X',
            location: { type: 'location', country: 'United Kingdom', region: 'England', city: 'London' },
            custom_attributes: {},
            tags: { type: 'list', data: [] },
          },
        },
        links: {},
        id: `notif_${randomUUID()}`,
        topic: 'contact.created',
        delivery_status: 'pending',
        delivery_attempts: 1,
        delivered_at: 0,
        first_sent_at: created,
        created_at: created,
        self: null,
      };
    },
  },

  pipedrive: {
    kind: 'json',
    sample({ email }) {
      const now = isoSeconds();
      const id = Number(randomDigits(5));
      return {
        data: {
          id,
          name: 'Grace Kelly',
          first_name: 'Grace',
          last_name: 'Kelly',
          emails: [{ value: email, primary: true, label: 'work' }],
          phones: [{ value: '+377 93 15 00 00', primary: true, label: 'work' }],
          org_id: 1204,
          owner_id: 13298511,
          add_time: now,
          update_time: now,
          visible_to: '3',
          label_ids: [],
          custom_fields: {},
        },
        previous: null,
        meta: {
          action: 'create',
          entity: 'person',
          entity_id: String(id),
          id: randomUUID(),
          is_bulk_edit: false,
          timestamp: now,
          type: 'general',
          version: '2.0',
          company_id: '11205488',
          user_id: '13298511',
          correlation_id: randomUUID(),
          host: 'inlet-dev.pipedrive.com',
          attempt: 1,
          change_source: 'app',
        },
      };
    },
  },

  mailchimp: {
    kind: 'form',
    headers: () => ({ 'user-agent': 'MailChimp' }),
    sample({ email }) {
      return {
        type: 'subscribe',
        fired_at: new Date()
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ''),
        data: {
          id: randomHex(10),
          email,
          email_type: 'html',
          ip_opt: '198.51.100.23',
          web_id: randomDigits(9),
          merges: { EMAIL: email, FNAME: 'Mary', LNAME: 'Jackson', PHONE: '(757) 555-0161' },
          list_id: randomHex(10),
        },
      };
    },
  },

  github: {
    kind: 'json',
    // A star carries no contact: the gateway keeps it as `invalid`.
    expect: 'invalid',
    headers: () => ({
      'user-agent': 'GitHub-Hookshot/8f1b2c3',
      'x-github-event': 'star',
      'x-github-hook-id': '512345678',
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': '812345678',
    }),
    sample() {
      return {
        action: 'created',
        starred_at: isoSeconds(),
        repository: {
          id: 812345678,
          name: 'inlet',
          full_name: 'inlet-dev/inlet',
          private: false,
          owner: { login: 'inlet-dev', id: 98765432, type: 'Organization' },
          html_url: 'https://github.com/inlet-dev/inlet',
          stargazers_count: 128,
        },
        organization: { login: 'inlet-dev', id: 98765432 },
        sender: { login: 'octocat', id: 583231, type: 'User', html_url: 'https://github.com/octocat' },
      };
    },
  },
};
