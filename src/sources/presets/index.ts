/**
 * Every provider preset by name, with its default options. A source takes one from here, or calls
 * the preset's factory itself for other options (a tolerance, a header, a URL parameter):
 * `preset: presets.stripe` or `preset: stripePreset({ toleranceSeconds: 600 })`.
 */
import type { Preset } from '../types';
import { basicAuthPreset } from './basic-auth';
import { calcomPreset } from './calcom';
import { calendlyPreset } from './calendly';
import { githubPreset } from './github';
import { bearerPreset, headerTokenPreset, zapierPreset } from './header-token';
import { inletHmacPreset } from './hmac';
import { hubspotPreset } from './hubspot';
import { intercomPreset } from './intercom';
import { jotformPreset } from './jotform';
import { mailchimpPreset } from './mailchimp';
import { mandrillPreset } from './mandrill';
import { metaPreset } from './meta';
import { paddlePreset } from './paddle';
import { pipedrivePreset } from './pipedrive';
import { shopifyPreset } from './shopify';
import { slackPreset } from './slack';
import { standardWebhooksPreset } from './standard-webhooks';
import { stripePreset } from './stripe';
import { svixPreset } from './svix';
import { tallyPreset } from './tally';
import { twilioPreset } from './twilio';
import { typeformPreset } from './typeform';
import { urlTokenPreset } from './url-token';
import { webflowPreset } from './webflow';
import { zoomPreset } from './zoom';

export { basicAuthPreset } from './basic-auth';
export { calcomPreset } from './calcom';
export { type CalendlyPresetOptions, calendlyPreset } from './calendly';
export { githubPreset } from './github';
export { bearerPreset, headerTokenPreset, zapierPreset } from './header-token';
export { type HmacPresetOptions, hmacPreset, type InletHmacPresetOptions, inletHmacPreset } from './hmac';
export { type HubSpotPresetOptions, type HubSpotSignatureVersion, hubspotPreset } from './hubspot';
export { intercomPreset } from './intercom';
export { jotformPreset } from './jotform';
export { mailchimpPreset } from './mailchimp';
export { type MandrillPresetOptions, mandrillPreset } from './mandrill';
export { metaPreset } from './meta';
export { type PaddlePresetOptions, paddlePreset } from './paddle';
export { pipedrivePreset } from './pipedrive';
export { shopifyPreset } from './shopify';
export { type SlackPresetOptions, slackPreset } from './slack';
export { type StandardWebhooksPresetOptions, standardWebhooksPreset } from './standard-webhooks';
export { type StripePresetOptions, stripePreset } from './stripe';
export { type SvixPresetOptions, svixPreset } from './svix';
export { tallyPreset } from './tally';
export { twilioPreset } from './twilio';
export { typeformPreset } from './typeform';
export { urlTokenPreset } from './url-token';
export { type WebflowPresetOptions, webflowPreset } from './webflow';
export { type ZoomPresetOptions, zoomPreset } from './zoom';

export const presets = {
  'standard-webhooks': standardWebhooksPreset(),
  svix: svixPreset(),
  stripe: stripePreset(),
  github: githubPreset(),
  shopify: shopifyPreset(),
  slack: slackPreset(),
  typeform: typeformPreset(),
  calendly: calendlyPreset(),
  hubspot: hubspotPreset(),
  meta: metaPreset(),
  zoom: zoomPreset(),
  twilio: twilioPreset(),
  paddle: paddlePreset(),
  mandrill: mandrillPreset(),
  intercom: intercomPreset(),
  webflow: webflowPreset(),
  calcom: calcomPreset(),
  tally: tallyPreset(),
  mailchimp: mailchimpPreset(),
  jotform: jotformPreset(),
  pipedrive: pipedrivePreset(),
  zapier: zapierPreset(),
  'inlet-hmac': inletHmacPreset(),
  'inlet-hmac-v2': inletHmacPreset({ requireV2: true }),
  'basic-auth': basicAuthPreset(),
  bearer: bearerPreset(),
  'header-token': headerTokenPreset(),
  'url-token': urlTokenPreset(),
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof presets;
