// Node-side tests compile only the pure modules; there, the Worker's `Env` (generated for workerd by
// `wrangler types`) is an opaque record that source definitions pass through.
interface Env {
  readonly [name: string]: unknown;
}
