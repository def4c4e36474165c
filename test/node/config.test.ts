import { describe, expect, it } from 'vitest';
import shipped from '../../inlet.config.ts';
import { ConfigError, type InletConfig, parseConfig, varFor } from '../../src/config/schema';

const names = (value: string | readonly string[]): readonly string[] =>
  typeof value === 'string' ? [value] : value;

/** A small valid configuration each test breaks in one place. */
const base = () => ({
  sources: { typeform: { type: 'typeform', region: 'US' } } as Record<string, unknown>,
  destinations: { crm: { type: 'webhook' } } as Record<string, unknown>,
  routes: [{ from: 'typeform', to: 'crm' }] as unknown[],
});

/** The problems parseConfig lists for `input`; fails the test when it accepts it. */
function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('parseConfig accepted an invalid configuration');
}

describe('the shipped inlet.config.ts', () => {
  const config: InletConfig = parseConfig(shipped);

  it('parses', () => {
    expect(() => parseConfig(shipped)).not.toThrow();
    expect(Object.keys(config.sources).length).toBeGreaterThan(0);
    expect(Object.keys(config.destinations)).toEqual(['crm', 'hubspot', 'pipedrive', 'salesforce']);
    expect(config.routes.length).toBeGreaterThan(0);
  });

  it('names only sources and destinations it defines in its routes', () => {
    for (const route of config.routes) {
      for (const from of names(route.from)) expect(config.sources).toHaveProperty([from]);
      for (const to of names(route.to)) expect(config.destinations).toHaveProperty([to]);
    }
  });

  it('has two sources of the typeform preset, with different regions', () => {
    expect(config.sources.typeform).toEqual({ type: 'typeform', region: 'US' });
    expect(config.sources['typeform-eu']).toEqual({ type: 'typeform', region: 'GB' });
  });

  it('has a flat source with its own field map (make)', () => {
    expect(config.sources.make).toEqual({
      type: 'flat',
      verify: 'inlet-hmac',
      fields: { email: 'contact.mail', company: ['org', 'account.name'] },
      region: 'GB',
    });
  });

  it('leaves jotform, and only jotform, without a route', () => {
    expect(config.sources.jotform).toEqual({ type: 'jotform', region: 'US' });
    const routed = new Set(config.routes.flatMap((route) => names(route.from)));
    expect(Object.keys(config.sources).filter((name) => !routed.has(name))).toEqual(['jotform']);
  });

  it('routes n8n webinar leads to HubSpot only through a `when`', () => {
    expect(config.routes).toContainEqual({ from: 'n8n', to: 'hubspot', when: { campaign: 'webinar-*' } });
  });
});

describe('parseConfig', () => {
  it('accepts the base configuration and fills in defaults', () => {
    expect(parseConfig(base())).toEqual({ ...base(), alerts: { channels: {} }, retention: { days: 30 } });
    expect(parseConfig({ sources: { typeform: { type: 'typeform' } } })).toEqual({
      sources: { typeform: { type: 'typeform' } },
      destinations: {},
      routes: [],
      alerts: { channels: {} },
      retention: { days: 30 },
    });
  });

  it('accepts the valid form of each value the tests below break', () => {
    const config = base();
    config.sources['typeform-eu_2'] = { type: 'flat', verify: 'inlet-hmac', region: 'GB' };
    config.destinations.hubspot = {
      type: 'hubspot',
      tokenVar: 'MY_TOKEN',
      fields: { firstname: 'first_name', budget: 'custom.budget', source: 'utm.source' },
      constants: { lifecyclestage: 'lead', score: 1, opted: true },
    };
    config.destinations.hook = {
      type: 'webhook',
      url: 'http://127.0.0.1:8787/hook',
      health: { failureThreshold: 2 },
    };
    config.destinations.sf = { type: 'salesforce', apiVersion: 'v62.0' };
    expect(() => parseConfig(config)).not.toThrow();
  });

  it('refuses an unknown source type', () => {
    const config = base();
    config.sources.typeform = { type: 'typeforms' };
    const problems = problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^sources\.typeform\.type: Invalid type: Expected .*"typeform".* but received "typeforms"$/,
    );
  });

  it('refuses an unknown preset in `verify`', () => {
    const config = base();
    config.sources.n8n = { type: 'flat', verify: 'inlet-hmacs' };
    const problems = problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^sources\.n8n\.verify: Invalid type: Expected .*"inlet-hmac".* but received "inlet-hmacs"$/,
    );
  });

  it('refuses a flat source without `verify`', () => {
    const config = base();
    config.sources.n8n = { type: 'flat' };
    expect(problemsOf(config)).toEqual([
      'sources.n8n.verify: Invalid key: Expected "verify" but received undefined',
    ]);
  });

  it.each(['usa', 'us', 'U1', ''])('refuses the region %j', (region) => {
    const config = base();
    config.sources.typeform = { type: 'typeform', region };
    expect(problemsOf(config)).toEqual([
      'sources.typeform.region: must be an ISO 3166-1 alpha-2 code such as US',
    ]);
  });

  it.each(['Typeform', 'type/form', '-typeform', 'type form', 'a'.repeat(64)])(
    'refuses the source name %j',
    (name) => {
      const config = base();
      config.sources[name] = { type: 'typeform' };
      expect(problemsOf(config)).toEqual([
        `sources.${name}: must be lowercase letters, digits, - or _ (a URL segment)`,
      ]);
    },
  );

  it('refuses a destination name with uppercase', () => {
    const config = base();
    config.destinations.MyCrm = { type: 'webhook' };
    expect(problemsOf(config)).toEqual([
      'destinations.MyCrm: must be lowercase letters, digits, - or _ (a URL segment)',
    ]);
  });

  it('refuses a route to an unknown destination, naming routes.N.to', () => {
    const config = base();
    config.routes.push({ from: 'typeform', to: ['crm', 'hubspot'] });
    expect(problemsOf(config)).toEqual(['routes.1.to: names no destination "hubspot"']);
  });

  it('refuses a route from an unknown source, naming routes.N.from', () => {
    const config = base();
    config.routes = [
      { from: 'typeform', to: 'crm' },
      { from: 'crm', to: 'crm' },
      { from: ['typeform', 'meta'], to: 'crm' },
    ];
    expect(problemsOf(config)).toEqual([
      'routes.1.from: names no source "crm"',
      'routes.2.from: names no source "meta"',
    ]);
  });

  it('refuses a route with an empty `to`, and a `when` on an unknown lead path', () => {
    const config = base();
    config.routes = [{ from: 'typeform', to: [], when: { first: 'x' } }];
    expect(problemsOf(config)).toEqual([
      'routes.0.to: Invalid length: Expected >=1 but received 0',
      'routes.0.when.first: is not a lead field (email, first_name, utm.campaign, custom.<key>, tags, ...)',
    ]);
  });

  it('refuses a destination field map with an unknown lead path', () => {
    const config = base();
    config.destinations.hubspot = { type: 'hubspot', fields: { firstname: 'first', lastname: 'last_name' } };
    expect(problemsOf(config)).toEqual([
      'destinations.hubspot.fields.firstname: is not a lead field (email, first_name, utm.campaign, custom.<key>, tags, ...)',
    ]);
  });

  it('refuses a nested custom path', () => {
    const config = base();
    config.destinations.hubspot = { type: 'hubspot', fields: { budget: 'custom.a.b' } };
    expect(problemsOf(config)).toEqual([
      'destinations.hubspot.fields.budget: is not a lead field (email, first_name, utm.campaign, custom.<key>, tags, ...)',
    ]);
  });

  it('refuses unknown keys (strict objects), in a source, a destination, a route and at the top', () => {
    const config = {
      ...base(),
      sources: { typeform: { type: 'typeform', colour: 'red' } },
      extra: 1,
    };
    expect(problemsOf(config)).toEqual([
      'sources.typeform.colour: Invalid key: Expected never but received "colour"',
      'extra: Invalid key: Expected never but received "extra"',
    ]);
    const other = base();
    other.destinations.crm = { type: 'webhook', token: 'x' };
    other.routes = [{ from: 'typeform', to: 'crm', where: {} }];
    expect(problemsOf(other)).toEqual([
      'destinations.crm.token: Invalid key: Expected never but received "token"',
      'routes.0.where: Invalid key: Expected never but received "where"',
    ]);
  });

  it.each(['my-token', 'MyToken', '1TOKEN', '_TOKEN'])('refuses the var name %j', (tokenVar) => {
    const config = base();
    config.destinations.hubspot = { type: 'hubspot', tokenVar };
    expect(problemsOf(config)).toEqual([
      'destinations.hubspot.tokenVar: must be an UPPER_SNAKE_CASE Worker var or secret name',
    ]);
  });

  it('refuses a bad secretVar on a source', () => {
    const config = base();
    config.sources.typeform = { type: 'typeform', secretVar: 'typeform_secret' };
    expect(problemsOf(config)).toEqual([
      'sources.typeform.secretVar: must be an UPPER_SNAKE_CASE Worker var or secret name',
    ]);
  });

  it('refuses a webhook url that is not http(s)', () => {
    const config = base();
    config.destinations.crm = { type: 'webhook', url: 'ftp://crm.example/hook' };
    expect(problemsOf(config)).toEqual(['destinations.crm.url: must be an http(s) URL']);
    config.destinations.crm = { type: 'webhook', url: 'crm.example/hook' };
    expect(problemsOf(config)).toEqual([
      'destinations.crm.url: must be a URL',
      'destinations.crm.url: must be an http(s) URL',
    ]);
  });

  it.each(['62', 'v62', '62.0', 'v62.00', 'V62.0'])('refuses the Salesforce apiVersion %j', (apiVersion) => {
    const config = base();
    config.destinations.sf = { type: 'salesforce', apiVersion };
    expect(problemsOf(config)).toEqual(['destinations.sf.apiVersion: must look like v62.0']);
  });

  it('refuses an unknown Salesforce object', () => {
    const config = base();
    config.destinations.sf = { type: 'salesforce', object: 'Account' };
    expect(problemsOf(config)).toEqual([
      'destinations.sf.object: Invalid type: Expected ("Lead" | "Contact") but received "Account"',
    ]);
  });

  it('refuses health.failureThreshold below 2 and a non-integer one', () => {
    const config = base();
    config.destinations.crm = { type: 'webhook', health: { failureThreshold: 1 } };
    expect(problemsOf(config)).toEqual([
      'destinations.crm.health.failureThreshold: Invalid value: Expected >=2 but received 1',
    ]);
    config.destinations.crm = { type: 'webhook', health: { failureThreshold: 2.5 } };
    expect(problemsOf(config)).toEqual([
      'destinations.crm.health.failureThreshold: Invalid integer: Received 2.5',
    ]);
  });

  it('lists every problem, each under its own key path, in the error message', () => {
    const config = base();
    config.sources.typeform = { type: 'typeform', region: 'usa' };
    config.destinations.hubspot = { type: 'hubspot', tokenVar: 'my-token', searchLagSeconds: -1 };
    config.destinations.sf = { type: 'salesforce', apiVersion: '62' };
    config.routes.push({ from: 'typeform', to: 'pipedrive' });
    let error: unknown;
    try {
      parseConfig(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    const { problems, message, name } = error as ConfigError;
    expect(name).toBe('ConfigError');
    expect(problems).toEqual([
      'sources.typeform.region: must be an ISO 3166-1 alpha-2 code such as US',
      'destinations.hubspot.tokenVar: must be an UPPER_SNAKE_CASE Worker var or secret name',
      'destinations.hubspot.searchLagSeconds: Invalid value: Expected >=0 but received -1',
      'destinations.sf.apiVersion: must look like v62.0',
      'routes.1.to: names no destination "pipedrive"',
    ]);
    expect(message).toBe(`inlet.config.ts is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    expect(message).toContain('sources.typeform.region');
    expect(message).toContain('destinations.hubspot.tokenVar');
    expect(message).toContain('destinations.sf.apiVersion');
    expect(message).toContain('routes.1.to');
  });

  it('names the root when the file exports no object, and a missing `sources`', () => {
    expect(problemsOf(null)).toEqual(['(root): Invalid type: Expected Object but received null']);
    expect(problemsOf({})).toEqual(['sources: Invalid key: Expected "sources" but received undefined']);
  });
});

describe('varFor', () => {
  it('upper-cases the name and turns - into _', () => {
    expect(varFor('DESTINATION', 'my-crm', 'TOKEN')).toBe('DESTINATION_MY_CRM_TOKEN');
    expect(varFor('SOURCE', 'typeform-eu', 'SECRET')).toBe('SOURCE_TYPEFORM_EU_SECRET');
    expect(varFor('SOURCE', 'a-b-c_1', 'SECRET')).toBe('SOURCE_A_B_C_1_SECRET');
    expect(varFor('DESTINATION', 'crm', 'CLIENT_SECRET')).toBe('DESTINATION_CRM_CLIENT_SECRET');
  });
});

describe('names that are not what they seem', () => {
  const base = { sources: { a: { type: 'typeform' } } };

  it('a route to an inherited key such as `constructor` names no destination', () => {
    expect(() => parseConfig({ ...base, routes: [{ from: 'a', to: 'constructor' }] })).toThrow(
      'routes.0.to: names no destination "constructor"',
    );
    expect(() => parseConfig({ ...base, routes: [{ from: 'constructor', to: [] }] })).toThrow(ConfigError);
  });

  it('two names that read the same secrets are refused', () => {
    const error = (() => {
      try {
        parseConfig({ sources: { 'a-b': { type: 'typeform' }, a_b: { type: 'typeform' } } });
      } catch (thrown) {
        return thrown as ConfigError;
      }
      return undefined;
    })();
    expect(error?.problems).toEqual([
      'sources.a_b: reads the same secrets as "a-b" (- and _ are the same in a secret\'s name)',
    ]);
  });

  it('a fractional search lag and an empty pattern list are refused', () => {
    expect(() =>
      parseConfig({ ...base, destinations: { d: { type: 'hubspot', searchLagSeconds: 1.5 } } }),
    ).toThrow('destinations.d.searchLagSeconds');
    expect(() =>
      parseConfig({
        ...base,
        destinations: { d: { type: 'hubspot' } },
        routes: [{ from: 'a', to: 'd', when: { campaign: [] } }],
      }),
    ).toThrow('routes.0.when.campaign');
  });
});

describe('keys that look right but are not', () => {
  it('a region that is no country (UK for GB) and a flat field map key that is no lead field', () => {
    const error = (() => {
      try {
        parseConfig({
          sources: { f: { type: 'flat', verify: 'inlet-hmac', region: 'UK', fields: { emial: 'mail' } } },
        });
      } catch (thrown) {
        return thrown as ConfigError;
      }
      return undefined;
    })();
    expect(error?.problems).toContain(
      'sources.f.region: is not a country with a phone numbering plan (the UK is GB)',
    );
    expect(error?.problems.some((p) => p.startsWith('sources.f.fields.emial:'))).toBe(true);
  });
});
