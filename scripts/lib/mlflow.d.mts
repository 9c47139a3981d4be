// Types for mlflow.mjs, so TypeScript tests import it with checking.

export function freePort(): Promise<number>;

export const STORES: readonly ['sqlite', 'postgres'];
export type Store = (typeof STORES)[number];

/** GT_MLFLOW_STORE, else sqlite. */
export function defaultStore(): Store;

/** Every server's environment on top of the caller's: no telemetry, MLflow's bundled price list. */
export const SERVER_ENV: Readonly<Record<string, string>>;

export interface MlflowServer {
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  store: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  kill(): Promise<void>;
}

export function startMlflow(opts?: {
  port?: number;
  dataDir?: string;
  store?: Store;
  logFile?: string;
  unref?: boolean;
  keepData?: boolean;
  /** false: left cold, not warmed up. */
  warm?: boolean;
  /** On top of SERVER_ENV; undefined removes a variable. */
  env?: Record<string, string | undefined>;
}): Promise<MlflowServer>;
