// Types for node-inject.mjs, so TypeScript tests import it with checking.
import type { BuildOptions } from 'esbuild';

export function nodeInjectBundles(common: BuildOptions, outDir?: string): BuildOptions[];
export function copyNodeInjectStatic(outDir?: string): void;
/** Builds a private copy of the Node preload into `<distDir>/inject/node`. */
export function buildNodeInject(distDir: string): Promise<{ distDir: string; preload: string; nodeOptions: string }>;
