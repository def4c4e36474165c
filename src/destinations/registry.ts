/**
 * The destinations of inlet.config.ts, bound to this Worker's vars and secrets. Built per consumer
 * batch (cheap: no I/O), so a rotated secret is picked up without a deploy. A missing secret is
 * not a crash: the destination answers `config_error`, which pauses it with a reason that names
 * the secret to set.
 */
import { config } from '../config';
import { type DestinationConfig, varFor } from '../config/schema';
import { optionalVar } from '../config/settings';
import { HUBSPOT_DEFAULT_FIELDS, hubspotDestination } from './hubspot';
import { pipedriveDestination } from './pipedrive';
import { SALESFORCE_DEFAULT_CONSTANTS, SALESFORCE_DEFAULT_FIELDS, salesforceDestination } from './salesforce';
import type { DeliveryOutcome, Destination, DestinationType } from './types';
import { webhookDestination } from './webhook';

const DEFAULT_URLS: Record<DestinationType, string | undefined> = {
  webhook: undefined,
  hubspot: 'https://api.hubapi.com',
  pipedrive: 'https://api.pipedrive.com',
  salesforce: 'https://login.salesforce.com',
};

/** Seconds each CRM's search may lag behind a write (docs/destinations.md). */
const DEFAULT_SEARCH_LAG_SECONDS: Record<DestinationType, number> = {
  webhook: 0,
  hubspot: 10,
  pipedrive: 10,
  salesforce: 0,
};

export interface DestinationPolicy {
  probeSeconds: number;
  failureThreshold: number;
  searchLagSeconds: number;
}

export function policyOf(entry: DestinationConfig): DestinationPolicy {
  return {
    probeSeconds: entry.health?.probeSeconds ?? 60,
    failureThreshold: entry.health?.failureThreshold ?? 20,
    searchLagSeconds: entry.searchLagSeconds ?? DEFAULT_SEARCH_LAG_SECONDS[entry.type],
  };
}

const missing = (name: string, type: DestinationType, secret: string): Destination => ({
  name,
  type,
  deliver: async (requests) =>
    requests.map(
      (): DeliveryOutcome => ({
        errorClass: 'config_error',
        httpStatus: null,
        reason: `${secret} is not set`,
        durationMs: 0,
      }),
    ),
});

export function buildDestination(name: string, entry: DestinationConfig, env: Env): Destination {
  const urlVar = entry.urlVar ?? varFor('DESTINATION', name, 'URL');
  const url = optionalVar(env, urlVar) ?? entry.url ?? DEFAULT_URLS[entry.type];
  switch (entry.type) {
    case 'webhook': {
      const secretVar = entry.secretVar ?? varFor('DESTINATION', name, 'SECRET');
      return webhookDestination(name, { url, secret: optionalVar(env, secretVar), urlVar, secretVar });
    }
    case 'hubspot': {
      const tokenVar = entry.tokenVar ?? varFor('DESTINATION', name, 'TOKEN');
      const token = optionalVar(env, tokenVar);
      if (!token || !url) return missing(name, entry.type, tokenVar);
      return hubspotDestination(name, {
        baseUrl: url,
        token,
        fields: { ...HUBSPOT_DEFAULT_FIELDS, ...entry.fields },
        constants: entry.constants ?? {},
      });
    }
    case 'pipedrive': {
      const tokenVar = entry.tokenVar ?? varFor('DESTINATION', name, 'TOKEN');
      const token = optionalVar(env, tokenVar);
      if (!token || !url) return missing(name, entry.type, tokenVar);
      return pipedriveDestination(name, {
        baseUrl: url,
        token,
        fields: entry.fields ?? {},
        constants: entry.constants ?? {},
        labels: entry.labels ?? {},
      });
    }
    case 'salesforce': {
      const clientIdVar = entry.clientIdVar ?? varFor('DESTINATION', name, 'CLIENT_ID');
      const secretVar = entry.secretVar ?? varFor('DESTINATION', name, 'CLIENT_SECRET');
      const clientId = optionalVar(env, clientIdVar);
      const clientSecret = optionalVar(env, secretVar);
      if (!clientId || !clientSecret || !url)
        return missing(name, entry.type, clientId ? secretVar : clientIdVar);
      const object = entry.object ?? 'Lead';
      return salesforceDestination(name, {
        loginUrl: url,
        clientId,
        clientSecret,
        object,
        apiVersion: entry.apiVersion ?? 'v62.0',
        ...(entry.externalIdField ? { externalIdField: entry.externalIdField } : {}),
        fields: { ...SALESFORCE_DEFAULT_FIELDS[object], ...entry.fields },
        constants: { ...SALESFORCE_DEFAULT_CONSTANTS[object], ...entry.constants },
      });
    }
  }
}

/** Every configured destination for this environment, by name. */
export function destinations(env: Env): Map<string, { destination: Destination; policy: DestinationPolicy }> {
  return new Map(
    Object.entries(config.destinations).map(([name, entry]) => [
      name,
      { destination: buildDestination(name, entry, env), policy: policyOf(entry) },
    ]),
  );
}

/** The secret holding a destination's credential, by the same convention `buildDestination` reads. */
export function credentialVarOf(name: string): string | undefined {
  const entry = config.destinations[name];
  if (!entry) return undefined;
  switch (entry.type) {
    case 'webhook':
      return entry.secretVar ?? varFor('DESTINATION', name, 'SECRET');
    case 'hubspot':
    case 'pipedrive':
      return entry.tokenVar ?? varFor('DESTINATION', name, 'TOKEN');
    case 'salesforce':
      return entry.secretVar ?? varFor('DESTINATION', name, 'CLIENT_SECRET');
  }
}
