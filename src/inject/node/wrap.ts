// Replacing a method of an SDK object in place, the one way every instrumented surface does it.
type Fn = (...args: unknown[]) => unknown;

/** Replaces o[key] with make(original), keeping the name and (for an own property) the
 *  enumerability; a property that cannot be redefined is left alone. */
export function wrapMethod(o: Record<string | symbol, unknown>, key: string, make: (original: Fn) => Fn): void {
  const original = o[key];
  if (typeof original !== 'function') return;
  const own = Object.getOwnPropertyDescriptor(o, key);
  if (own && (!own.writable || !own.configurable)) return;
  const wrapper = make(original as Fn);
  Object.defineProperty(wrapper, 'name', { value: (original as Fn).name || key });
  Object.defineProperty(o, key, { value: wrapper, writable: true, configurable: true, enumerable: own ? own.enumerable : false });
}

export type { Fn };
