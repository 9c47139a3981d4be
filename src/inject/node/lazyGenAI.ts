// `GoogleGenAI` as a traced app gets it, from the preload's start-up and without the tracing
// machinery: loading that (tracing.cjs, OpenTelemetry, the module hooks) is ~13 ms, and an app that
// loads the SDK may never call it (a CLI's other commands, a server's idle start). So the class is
// a construct-trapping Proxy of itself (name, statics, prototype and instanceof as they were), and
// each client it makes is only trapped: the methods of its `models`, `chats` and `live` (own and
// inherited) become trampolines, and `interactions` (a lazy getter on the prototype) an accessor of
// the client's own. The first use of any of them starts tracing, puts every property back as it
// was and lets client.ts wrap the client for real, then goes on to the real method. A client made
// once tracing runs is wrapped at once. Nothing here may throw into the app.

type Obj = Record<string | symbol, unknown>;
type Fn = (...args: unknown[]) => unknown;

/** The SDK objects whose methods client.ts wraps (the Interactions client comes from a getter). */
const SURFACES = ['models', 'chats', 'live'] as const;
const GETTERS = ['interactions'] as const;

const proxies = new WeakMap<object, object>();
const ours = new WeakSet<object>();

/** What wraps a client for real: `instrumenter(false)` gives it only while tracing runs already,
 *  `instrumenter(true)` starts tracing first (undefined when tracing cannot start). */
export type Instrumenter = (start: boolean) => ((client: object) => void) | undefined;

/** `original` as a Proxy whose clients are wrapped at once while tracing runs, else on first use;
 *  one proxy per class, and a proxy stays as it is. */
export function lazyGenAIClass(original: unknown, instrumenter: Instrumenter): unknown {
  if (typeof original !== 'function' || ours.has(original)) return original;
  let traced = proxies.get(original);
  if (!traced) {
    traced = new Proxy(original, {
      construct(target, args, newTarget) {
        const client = Reflect.construct(target, args, newTarget) as object;
        try {
          const now = instrumenter(false);
          if (now) now(client);
          else trapClient(client, () => instrumenter(true)?.(client));
        } catch {
          /* the client works untraced */
        }
        return client;
      },
    });
    proxies.set(original, traced);
    ours.add(traced);
  }
  return traced;
}

/** `exports` with its `GoogleGenAI` made lazy, for a CommonJS require of the SDK. */
export function patchGenAIExports(exports: unknown, make: (original: unknown) => unknown): void {
  try {
    const e = exports as Obj | null;
    if (e && typeof e.GoogleGenAI === 'function' && !ours.has(e.GoogleGenAI)) e.GoogleGenAI = make(e.GoogleGenAI);
  } catch {
    /* a frozen or odd module: left untraced */
  }
}

type Undo = () => void;

/** Sets the trampolines on `client`; `arm` runs once, after every property is back. */
function trapClient(client: object, arm: () => void): void {
  const undo: Undo[] = [];
  let armed = false;
  const fire = () => {
    if (armed) return;
    armed = true;
    for (const u of undo) {
      try {
        u();
      } catch {
        /* left as it is */
      }
    }
    try {
      arm();
    } catch {
      /* the client works untraced */
    }
  };
  for (const key of SURFACES) {
    const target = (client as Obj)[key];
    if (target && typeof target === 'object') trapMethods(target as Obj, fire, undo);
  }
  for (const key of GETTERS) trapGetter(client as Obj, key, fire, undo);
}

function trapMethods(target: Obj, fire: () => void, undo: Undo[]): void {
  const seen = new Set<string | symbol>(['constructor']);
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Reflect.ownKeys(o)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (!d || typeof d.value !== 'function') continue;
      const own = o === target;
      if (own && (!d.writable || !d.configurable)) continue;
      const trampoline = function (this: unknown, ...args: unknown[]) {
        fire();
        const now = target[key];
        return Reflect.apply((now === trampoline ? d.value : now) as Fn, this, args);
      };
      // Named as the method, so the client logs as it would untraced.
      Object.defineProperty(trampoline, 'name', { value: (d.value as Fn).name });
      Object.defineProperty(target, key, { value: trampoline, writable: true, configurable: true, enumerable: own ? d.enumerable : false });
      // Put back only what is still ours: the app may have replaced a method meanwhile.
      undo.push(() => {
        if (Object.getOwnPropertyDescriptor(target, key)?.value !== trampoline) return;
        if (own) Object.defineProperty(target, key, d);
        else delete target[key];
      });
    }
  }
}

function trapGetter(client: Obj, key: string, fire: () => void, undo: Undo[]): void {
  if (Object.prototype.hasOwnProperty.call(client, key) || !(key in client)) return;
  const get = function (this: unknown) {
    fire();
    const stillOurs = Object.getOwnPropertyDescriptor(client, key)?.get === get;
    return stillOurs ? Reflect.get(Object.getPrototypeOf(client) as object, key, client) : client[key];
  };
  Object.defineProperty(client, key, { get, configurable: true, enumerable: false });
  undo.push(() => {
    if (Object.getOwnPropertyDescriptor(client, key)?.get === get) delete client[key];
  });
}
