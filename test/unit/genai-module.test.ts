// The `@google/genai` ESM hook's pure half (src/inject/node/genaiModule.ts): which resolutions it
// takes over, and the module it answers with.
import assert from 'node:assert/strict';
import { redirect, wrapperSource } from '../../src/inject/node/genaiModule';

describe("Node preload: the @google/genai ESM hook", () => {
  const sdk = 'file:///app/node_modules/@google/genai/dist/node/index.mjs';

  it('takes over the bare specifier resolved to the ESM build, and nothing else', () => {
    const url = redirect('@google/genai', sdk, 'module');
    assert.ok(url && url !== sdk && url.startsWith(`${sdk}?`));
    assert.equal(redirect('@google/genai', sdk, undefined), url, 'an .mjs file with no format yet');
    assert.equal(redirect('@google/genai', url!, 'module'), undefined, 'never twice');
    assert.equal(redirect('@google/genai', sdk.replace('.mjs', '.cjs'), 'commonjs'), undefined, 'the CommonJS build is require-hooked');
    assert.equal(redirect('@google/genai/node', sdk, 'module'), undefined);
    assert.equal(redirect(sdk, sdk, 'module'), undefined, 'the file by URL stays the SDK');
    assert.equal(redirect('openai', 'file:///app/node_modules/openai/index.mjs', 'module'), undefined);
    assert.equal(redirect('@google/genai', 'node:fs', 'builtin'), undefined);
    assert.match(redirect('@google/genai', `${sdk}?v=1`, 'module')!, /\?v=1&/);
  });

  it("answers with a module that re-exports the SDK from its own URL and exports its own GoogleGenAI", () => {
    const source = wrapperSource(redirect('@google/genai', `${sdk}?v=1`, 'module')!)!;
    assert.ok(source.includes(`export * from ${JSON.stringify(`${sdk}?v=1`)};`), source);
    assert.match(source, /export \{ traced as GoogleGenAI \};/);
    assert.equal(wrapperSource(sdk), undefined);
  });
});
