/**
 * The generic HMAC scheme as a preset, for senders that sign in their own way, and Inlet's own
 * configuration of it (`inlet-hmac`), which an n8n Crypto node or a Make `sha256(text; "hex"; key)`
 * can produce: HMAC-SHA256 hex over `${timestamp}.${body}`, in `x-inlet-signature: sha256=<hex>`
 * (v1), or over `${id}.${timestamp}.${body}` in `x-inlet-signature: v2=<hex>` (v2, which signs the
 * delivery id too). `inlet-hmac` takes both; `inlet-hmac-v2` refuses v1 once every sender moved.
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
  /** Refuse v1 signatures, which do not cover `x-inlet-id`. */
  requireV2?: boolean;
}

export const inletHmacPreset = (options: InletHmacPresetOptions = {}): Preset =>
  hmacPreset({
    ...INLET_HMAC,
    name: options.requireV2 ? 'inlet-hmac-v2' : 'inlet-hmac',
    toleranceSeconds: options.toleranceSeconds ?? INLET_HMAC.toleranceSeconds ?? 300,
    ...(options.requireV2 && INLET_HMAC.upgrade
      ? { upgrade: { ...INLET_HMAC.upgrade, required: true } }
      : {}),
  });
