/**
 * HubSpot app webhooks (the Webhooks API) name a contact by `objectId` only: the contact itself is
 * read from the CRM API (`GET /crm/v3/objects/contacts/{id}`) with the source's private-app token
 * before it can be mapped, as a Meta lead is read from the Graph API.
 */
import { LookupError } from './meta-graph';

export const DEFAULT_HUBSPOT_API_URL = 'https://api.hubapi.com';

/** The properties a lead can use; HubSpot returns only those asked for. */
const PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'company',
  'jobtitle',
  'country',
  'city',
  'website',
  'hs_analytics_source',
  'hs_analytics_source_data_1',
].join(',');

export interface HubspotContact {
  id: string;
  properties: Record<string, string | null>;
}

export async function fetchHubspotContact(
  objectId: string,
  options: { apiUrl: string; token: string | undefined; timeoutMs: number },
): Promise<HubspotContact> {
  if (!options.token) throw new LookupError(true, 'hubspot access token is not configured');
  const url = new URL(
    `${options.apiUrl.replace(/\/$/, '')}/crm/v3/objects/contacts/${encodeURIComponent(objectId)}`,
  );
  url.searchParams.set('properties', PROPERTIES);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${options.token}` },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch {
    throw new LookupError(true, 'hubspot crm api unreachable');
  }
  if (response.ok) {
    const body = (await response.json().catch(() => null)) as {
      id?: unknown;
      properties?: Record<string, unknown>;
    } | null;
    if (body && typeof body.properties === 'object' && body.properties !== null) {
      const properties: Record<string, string | null> = {};
      for (const [name, value] of Object.entries(body.properties))
        properties[name] = typeof value === 'string' ? value : null;
      return { id: String(body.id ?? objectId), properties };
    }
    throw new LookupError(false, 'hubspot crm api answered an unexpected contact shape');
  }
  // Error bodies may quote the contact: only the status is kept. A deleted contact cannot heal;
  // a token or scope problem, a rate limit and a 5xx can.
  await response.body?.cancel();
  throw new LookupError(response.status !== 404, `hubspot crm api HTTP ${response.status}`);
}
