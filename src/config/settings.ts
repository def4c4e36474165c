/**
 * Typed settings read from the Worker's vars. Everything has a safe default, so a missing or
 * mistyped var degrades to the documented default instead of failing requests.
 */
import type { RetrySettings } from '../pipeline/retry-policy';

export interface Settings {
  maxBodyBytes: number;
  deliveryTimeoutMs: number;
  retry: RetrySettings;
  requeueAfterMs: number;
  /** Repeats of one person within this window are merged into one delivery; 0 turns merging off. */
  mergeWindowMs: number;
}

const positive = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export function settings(env: Env): Settings {
  return {
    maxBodyBytes: positive(env.MAX_BODY_BYTES, 1024 * 1024),
    deliveryTimeoutMs: positive(env.DELIVERY_TIMEOUT_MS, 10_000),
    retry: {
      baseSeconds: positive(env.RETRY_BASE_SECONDS, 30),
      maxSeconds: Math.min(positive(env.RETRY_MAX_SECONDS, 3600), 43_200),
      maxAttempts: Math.floor(positive(env.DELIVERY_MAX_ATTEMPTS, 9)),
    },
    requeueAfterMs: positive(env.REQUEUE_AFTER_SECONDS, 600) * 1000,
    mergeWindowMs: positive(env.PERSON_MERGE_WINDOW_SECONDS, 0) * 1000,
  };
}

/**
 * A source's secrets: one Worker secret holding one or more values separated by whitespace, so a
 * rotation is "add the new secret, wait, remove the old one" with no deploy. (Not commas: Basic-auth
 * passwords and URL tokens may contain them.)
 */
export function secretsOf(env: Env, name: string): string[] {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}

/** A single-valued Worker secret or var that is not part of the generated `Env` (per-source values). */
export function optionalVar(env: Env, name: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
