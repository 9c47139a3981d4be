// The preload's lazy `GoogleGenAI` (src/inject/node/lazyGenAI.ts) on the real SDK class: a client
// is only trapped until its first use, which starts tracing once and leaves the client's objects
// exactly as an untraced client has them, before the method the app called runs.
import assert from 'node:assert/strict';
import { GoogleGenAI } from '@google/genai';
import { lazyGenAIClass, patchGenAIExports } from '../../src/inject/node/lazyGenAI';

type Client = InstanceType<typeof GoogleGenAI>;
type Obj = Record<string | symbol, unknown>;

/** Own property names and descriptors' kinds, to compare a client's objects with an untraced one's. */
function shape(o: object): string[] {
  return Reflect.ownKeys(o).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k)!;
    return `${String(k)}:${d.get ? 'get' : typeof d.value}:${d.enumerable ? 'e' : '-'}`;
  });
}

describe('Node preload: GoogleGenAI clients start tracing on first use', () => {
  // One proxy per class (as in a process): each test swaps in a recorder of its own.
  let recorder = { running: false, started: [] as string[], instrumented: [] as object[] };
  const Lazy = lazyGenAIClass(GoogleGenAI, (start) => {
    if (!start && !recorder.running) return undefined;
    if (start) recorder.started.push('start');
    return (client) => void recorder.instrumented.push(client);
  }) as typeof GoogleGenAI;
  const make = (running = false) => {
    recorder = { running, started: [], instrumented: [] };
    return { Lazy, started: recorder.started, instrumented: recorder.instrumented };
  };
  // A closed port: the call fails fast after it was handed over.
  const opts = { apiKey: 'k', httpOptions: { baseUrl: 'http://127.0.0.1:9' } };

  it('is the same class to the app: name, statics, instanceof; one proxy per class', () => {
    const { Lazy } = make();
    assert.equal(Lazy.name, 'GoogleGenAI');
    const ai = new Lazy(opts);
    assert.ok(ai instanceof GoogleGenAI && ai instanceof Lazy);
    assert.equal(lazyGenAIClass(Lazy, () => undefined), Lazy, 'a proxy is not wrapped again');
    const exports: Obj = { GoogleGenAI: Lazy };
    patchGenAIExports(exports, () => assert.fail('already lazy'));
  });

  it('does not start tracing for a client that is made, inspected and never used', () => {
    const { Lazy, started } = make();
    const ai = new Lazy(opts);
    assert.equal(typeof ai.models.generateContent, 'function');
    assert.equal(ai.models.generateContent.name, new GoogleGenAI(opts).models.generateContent.name, 'named as the method');
    assert.equal(typeof ai.chats.create, 'function');
    assert.ok(ai.live);
    assert.deepEqual(started, []);
  });

  it('starts once on the first call, puts every property back, then makes the call', async () => {
    const { Lazy, started, instrumented } = make();
    const ai = new Lazy(opts) as Client;
    const plain = new GoogleGenAI(opts);
    let seenAtCall: string[] = [];
    const call = ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    seenAtCall = [...started];
    await assert.rejects(call, 'the real method ran (and failed on the closed port)');
    assert.deepEqual(seenAtCall, ['start'], 'started before the call went on');
    assert.deepEqual(instrumented, [ai]);
    for (const key of ['models', 'chats', 'live'] as const) assert.deepEqual(shape(ai[key]), shape(plain[key]), key);
    assert.deepEqual(shape(ai), shape(plain), 'no accessor of ours left on the client');
    await assert.rejects(ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'again' }));
    assert.deepEqual(started, ['start'], 'once per client');
  });

  it('keeps a method the app replaced before the first use, and starts on the interactions getter', () => {
    const { Lazy, started } = make();
    const ai = new Lazy(opts) as Client;
    const mine = () => 'mine';
    (ai.chats as unknown as Obj).create = mine;
    assert.ok(ai.interactions, 'the getter answers');
    assert.deepEqual(started, ['start']);
    assert.equal((ai.chats as unknown as Obj).create, mine);
    assert.equal(Object.getOwnPropertyDescriptor(ai, 'interactions'), undefined, 'the getter is the prototype\'s again');
  });

  it('lets the call go on untraced when wrapping the client throws', async () => {
    // A class of its own: the proxy of GoogleGenAI itself is this file's recorder's.
    const Sdk = GoogleGenAI as unknown as new (o: unknown) => object;
    const Throwing = lazyGenAIClass(class extends Sdk {}, (start) => (start ? () => assert.fail('broken') : undefined)) as typeof GoogleGenAI;
    const ai = new Throwing(opts) as Client;
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }), /fetch failed/, 'the SDK\'s own error, not ours');
  });

  it('wraps a client at once while tracing runs', () => {
    const { Lazy, started, instrumented } = make(true);
    const ai = new Lazy(opts);
    assert.deepEqual(instrumented, [ai]);
    assert.deepEqual(started, []);
  });

  it('makes a CommonJS module\'s GoogleGenAI lazy in place, and leaves a module without one', () => {
    const exports: Obj = { GoogleGenAI, other: 1 };
    patchGenAIExports(exports, (c) => lazyGenAIClass(c, () => undefined));
    assert.notEqual(exports.GoogleGenAI, GoogleGenAI);
    assert.equal((exports.GoogleGenAI as typeof GoogleGenAI).name, 'GoogleGenAI');
    const none: Obj = { other: 1 };
    patchGenAIExports(none, () => assert.fail('nothing to make lazy'));
    patchGenAIExports(Object.freeze({ GoogleGenAI }), (c) => lazyGenAIClass(c, () => undefined));
  });
});
