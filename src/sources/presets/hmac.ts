/**
 * The generic HMAC scheme as a preset, for senders that sign in their own way, and Inlet's own
 * configuration of it (`inlet-hmac`), which an n8n Crypto node or a Make `sha256(text; "hex"; key)`
 * can produce: HMAC-SHA256 hex over `${timestamp}.${body}`, in `x-inlet-signature: sha256=<hex>`.
 */
import { type GenericHmacOptions, genericHmac, INLET_HMAC } from '../../verify/generic-hmac';
import type { Preset } from '../types';

export interface HmacPresetOptions extends GenericHmacOptions {
  /** Preset name for docs and logs; `hmac` by default. */
  name?: string;
}

/** A preset for any sender's HMAC; the delivery id comes from `idHeader` when it is set. */
export const hmacPreset = ({ name = 'hmac', ...options }: HmacPresetOptions): Preset => ({
  name,
  verifier: genericHmac(options),
});

export interface InletHmacPresetOptions {
  /** Seconds, both directions; 300 by default. */
  toleranceSeconds?: number;
}

export const inletHmacPreset = (options: InletHmacPresetOptions = {}): Preset =>
  hmacPreset({
    ...INLET_HMAC,
    name: 'inlet-hmac',
    toleranceSeconds: options.toleranceSeconds ?? INLET_HMAC.toleranceSeconds ?? 300,
  });
