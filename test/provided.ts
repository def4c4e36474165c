// What test/global-setup.ts provides to the workerd tests (URLs of the local servers).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    crmUrl: string;
    graphUrl: string;
    hubspotUrl: string;
    pipedriveUrl: string;
    salesforceUrl: string;
    slackUrl: string;
    slackWebhookUrl: string;
    emailUrl: string;
  }
}
