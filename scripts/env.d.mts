export declare const WRANGLER_ENV: NodeJS.ProcessEnv;
export declare function ensureDevVars(): void;
export declare function readDevVars(path?: string): Record<string, string>;
