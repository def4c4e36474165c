/**
 * A flat JSON lead from an n8n or Make workflow, signed with Inlet's generic HMAC scheme:
 * HMAC-SHA256 hex over `${timestamp}.${body}` with a UTF-8 secret, which n8n's Crypto node and
 * Make's `sha256(text; "hex"; key)` can both produce (docs/providers.md shows the workflows). The
 * default field map takes `email`, `firstName`, `First Name`, `contact.email` and the like.
 */
import { flatSource } from './flat';
import { presets } from './presets';

export const n8n = flatSource('n8n', presets['inlet-hmac']);
