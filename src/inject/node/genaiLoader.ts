// genaiModule.ts as loader hooks for `module.register` (dist/inject/node/esm-genai.mjs): Node 20
// and the 22/24 releases without usable in-thread hooks run them in the module-loader thread,
// where `nextResolve`/`nextLoad` answer with promises.
import { redirect, wrapperSource } from './genaiModule';

type Resolved = { url: string; format?: string | null };
type Next<T> = (input: string, context: unknown) => Promise<T> | T;

export async function resolve(specifier: string, context: unknown, next: Next<Resolved>): Promise<Resolved> {
  const r = await next(specifier, context);
  const url = redirect(specifier, r.url, r.format);
  return url ? { ...r, url, format: 'module' } : r;
}

export async function load(url: string, context: unknown, next: Next<unknown>): Promise<unknown> {
  const source = wrapperSource(url);
  return source === undefined ? next(url, context) : { format: 'module', source, shortCircuit: true };
}
