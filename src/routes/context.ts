/** What every route may read from the request's context: its id, and the events it stored. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** cf-ray in production, a UUID elsewhere: in every log line about the request and its events. */
    requestId: string;
    /** The ids ingest stored, for the request's log line. */
    eventIds?: string;
  };
};
