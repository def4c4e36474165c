// Types for test/node/cli.test.ts, which checks every signer against the gateway's own verifier.
export interface SignInput {
  /** The exact body bytes that are posted. */
  body: Buffer;
  secret: string;
  /** The URL posted to, without the query the signer may add. */
  url: string;
  /** The parameters of a form body (Twilio and Mandrill sign these, not the bytes). */
  form?: URLSearchParams;
}

export interface Signed {
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export declare const SIGNERS: Record<string, (input: SignInput) => Signed>;
export declare const SCHEMES: Record<string, string>;
