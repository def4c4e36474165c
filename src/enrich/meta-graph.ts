/**
 * Meta Lead Ads webhooks carry only a `leadgen_id`: the lead itself is read from the Graph API
 * (`GET /{leadgen_id}?access_token=<page token>`) before it can be mapped. This is the one source
 * step that calls out, so it is kept apart from the pure mapping and normalisation rules.
 */
import * as v from 'valibot';
import { type MetaLead, MetaLeadSchema } from '../leads/mappings/meta';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com/v21.0';

const LEAD_FIELDS = [
  'id',
  'created_time',
  'field_data',
  'form_id',
  'ad_id',
  'ad_name',
  'campaign_id',
  'campaign_name',
  'platform',
  'is_organic',
  'custom_disclaimer_responses',
].join(',');

/**
 * A lookup that failed in a way worth retrying (network, 5xx, rate limit, a token the operator must
 * fix) or not (the lead no longer exists). The consumer retries the first kind with backoff and
 * stores the second as `invalid`.
 */
export class LookupError extends Error {
  constructor(
    readonly retryable: boolean,
    reason: string,
  ) {
    super(reason);
    this.name = 'LookupError';
  }
}

export async function fetchMetaLead(
  leadgenId: string,
  options: { graphUrl: string; pageToken: string | undefined; timeoutMs: number },
): Promise<MetaLead> {
  if (!options.pageToken) throw new LookupError(true, 'meta page access token is not configured');
  const url = new URL(`${options.graphUrl.replace(/\/$/, '')}/${encodeURIComponent(leadgenId)}`);
  url.searchParams.set('access_token', options.pageToken);
  // Consent checkboxes are not among the lead's default fields: Meta returns them only when asked.
  url.searchParams.set('fields', LEAD_FIELDS);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs) });
  } catch {
    throw new LookupError(true, 'graph api unreachable');
  }
  if (response.ok) {
    const parsed = v.safeParse(MetaLeadSchema, await response.json().catch(() => null));
    if (parsed.success) return parsed.output;
    throw new LookupError(false, 'graph api answered an unexpected lead shape');
  }
  // Graph errors: code 190 (bad token) and 4/17/32/613 (rate limits) can heal; 100 (no such
  // object) cannot. Error messages may quote the request, so only codes are kept.
  const error = (await response.json().catch(() => null)) as { error?: { code?: number } } | null;
  const code = error?.error?.code;
  const healable =
    response.status >= 500 ||
    response.status === 429 ||
    code === 190 ||
    code === 4 ||
    code === 17 ||
    code === 32 ||
    code === 613;
  throw new LookupError(
    healable,
    `graph api HTTP ${response.status}${code === undefined ? '' : ` code ${code}`}`,
  );
}
