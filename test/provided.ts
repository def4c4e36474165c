// What test/global-setup.ts provides to the workerd tests (ports of the local servers).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    crmUrl: string;
    graphUrl: string;
  }
}
