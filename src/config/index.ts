/**
 * The user's configuration, validated once when the isolate starts: a bad inlet.config.ts throws
 * here, so the Worker does not start (and a deploy does not go live) with it.
 */
import raw from 'inlet-config';
import { type InletConfig, parseConfig } from './schema';

export const config: InletConfig = parseConfig(raw);
