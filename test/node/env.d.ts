// Node-side tests compile only the pure modules; there, the Worker's `Env` (generated for workerd by
// `wrangler types`) is an opaque type that source definitions pass through.
type Env = {};
