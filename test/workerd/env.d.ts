declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    MIGRATION_DB: D1Database;
  }
  interface GlobalProps {
    mainModule: typeof import('../../src/index');
  }
}
