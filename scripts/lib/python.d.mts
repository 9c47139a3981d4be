// Types for python.mjs, so TypeScript tests import it with checking.

export const root: string;
export const venvDir: string;
export const venvPython: string;
export function venvBin(name: string): string;
export const PINS: string[];
/** Creates `.venv` with the pins unless it is there; its Python. */
export function ensureVenv(opts?: { quiet?: boolean }): string;
export const APP_VENVS: Record<string, string[]>;
/** The Python of an app venv, created with its pins the first time. */
export function ensureAppVenv(name: string, opts?: { quiet?: boolean }): string;
