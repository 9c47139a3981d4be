// Types for workbench.mjs, so TypeScript tests (test/e2e) import it with checking.
import type { Browser, Page } from 'playwright-core';

export interface VsCodeServer {
  url: string;
  port: number;
  dataDir: string;
  folder: string;
  workbenchUrl(payload?: [string, string][]): string;
  remoteUri(path: string): string;
  log(): string;
  logsDir: string;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  /** The URL the page opened, with the payload that loads the extension. */
  url: string;
  /** The workspace folder opened (a temp copy of examples/ unless one was given). */
  folder: string;
  server: VsCodeServer;
  /** With extensionTestsPath: resolves with the tests' exit code. */
  testsDone: Promise<number>;
  consoleErrors(): string[];
  /** Closes the browser, stops the server, removes the temp folder it made. */
  close(): Promise<void>;
}

export interface OpenWorkbenchOptions {
  folder?: string;
  /** User settings, merged over the defaults (workspace trust and telemetry off). */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and so for the extension host. */
  env?: Record<string, string>;
  extensionTestsPath?: string;
  port?: number;
  /** false: return as soon as the page is loading (default: wait for the activity bar). */
  waitReady?: boolean;
}

export const CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
export const EXTENSION_ID: string;
export function extensionLog(server: VsCodeServer, channel?: string): string;
export function copyExamples(): string;
export function extensionPayload(server: VsCodeServer, extensionTestsPath?: string): [string, string][];
export function launchChromium(): Promise<Browser>;
export function openWorkbench(opts?: OpenWorkbenchOptions): Promise<Workbench>;

/** Runs "Gemini Trace: Open Trace by ID" and types `traceId`, leaving the Enter to the caller. */
export function typeTraceId(page: Page, traceId: string): Promise<void>;
