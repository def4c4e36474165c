// Node-side tests compile only the pure modules; there, the Worker's `Env` (generated for workerd by
// `wrangler types`) is an opaque record that source definitions pass through.
interface Env {
  readonly [name: string]: unknown;
}

// The destination adapters take an optional KV for caches (a Salesforce token); the Node tests
// pass a small in-memory one with the methods they use.
interface KVNamespace {
  get(key: string): Promise<string | null>;
  get(key: string, type: 'json'): Promise<unknown>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}
