/**
 * A secret token in the ingest URL's query string (`/in/<source>?token=...`), for senders that can
 * neither sign nor set headers.
 */
import { type UrlTokenOptions, urlToken } from '../../verify/url-token';
import type { Preset } from '../types';

export const urlTokenPreset = (options: UrlTokenOptions = {}): Preset => ({
  name: 'url-token',
  verifier: urlToken(options),
});
