// The app's call site, carried through async work a framework starts detached from the app's stack
// (AI SDK 7's streamText, Genkit's generateStream, LangGraph's generator-driven runs): by the time the
// framework opens its first span, the app's line is no longer on the stack, async frames included.
// An entry point wrapped here takes the line while the app's call is still on the stack and keeps it
// in an AsyncLocalStorage of its own, which the work the call starts inherits; the framework's
// top-level span reads it (only when its own stack shows no app line).
import { AsyncLocalStorage } from 'node:async_hooks';
import { captureCallSite } from '../callsite';
import type { CallSite } from '../callsite';

const sites = new AsyncLocalStorage<CallSite>();

/** The app's line of the framework call this code runs under, if an entry point took one. */
export function currentSite(): CallSite | undefined {
  return sites.getStore();
}

/** Runs fn with the app's current line as the site of whatever it starts (an enclosing entry
 *  point's line wins: the outermost call is the app's). */
export function withSite<T>(fn: () => T): T {
  if (sites.getStore()) return fn();
  const site = captureCallSite();
  return site ? sites.run(site, fn) : fn();
}

type Fn = (...args: unknown[]) => unknown;

/** `original` wrapped to run under withSite, keeping its name. */
export function siteEntry(original: Fn): Fn {
  const wrapper = function (this: unknown, ...args: unknown[]) {
    return withSite(() => original.apply(this, args));
  };
  Object.defineProperty(wrapper, 'name', { value: original.name });
  return wrapper;
}
