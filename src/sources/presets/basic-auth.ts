/**
 * HTTP Basic authentication, for senders that cannot sign but can send a user and password. The
 * source's secret is `user:password` (several, space-separated, during a rotation).
 */
import { basicAuth } from '../../verify/basic-auth';
import type { Preset } from '../types';

export const basicAuthPreset = (): Preset => ({ name: 'basic-auth', verifier: basicAuth() });
