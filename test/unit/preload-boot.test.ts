// The preload's start-up (src/inject/node/entry/preload.ts) loads the tracing machinery when the
// app first requires a package it traces: the list it watches must name every package a module
// hook of the instrumentation patches, and its test on a require's string must catch each way of
// naming one (bare, subpath, a path into node_modules) and nothing else. `@google/genai` is told
// apart on its own: its clients are made lazy instead (lazyGenAI.ts).
import assert from 'node:assert/strict';
import { HOOKED_PACKAGES, isGenAI, mayLoadHooked } from '../../src/inject/node/hooked';
import { GeminiInstrumentation } from '../../src/inject/node/entry/instrumentation';

describe('Node preload start-up: the packages that start tracing', () => {
  it('names every package the instrumentation hooks', () => {
    const inst = new GeminiInstrumentation('0.0.0-test');
    try {
      const names = inst.getModuleDefinitions().map((d) => d.name);
      assert.ok(names.length >= 6, names.join());
      for (const name of names) assert.ok(HOOKED_PACKAGES.includes(name), `${name} is hooked but does not start tracing`);
    } finally {
      inst.disable();
    }
  });

  it('tells a require of a traced package from any other', () => {
    for (const id of ['ai', 'ai/rsc', 'openai/resources/chat', '@langchain/core/callbacks/manager', '/app/node_modules/openai/index.js', '/app/node_modules/genkit', 'C:\\app\\node_modules\\@google\\generative-ai\\dist\\index.js']) {
      assert.equal(mayLoadHooked(id), true, id);
    }
    for (const id of ['@google/genai', '@google/genai/node', 'fs', 'node:http', './ai', 'aimless', 'openai-edge', '@langchain/openai', '@google/genai-extra', '/app/lib/openai.js', '/app/node_modules/@ai-sdk/google/index.js']) {
      assert.equal(mayLoadHooked(id), false, id);
    }
  });

  it('tells a require of @google/genai, whose clients it makes lazy instead', () => {
    for (const id of ['@google/genai', '@google/genai/node', '@google/genai/web']) assert.equal(isGenAI(id), true, id);
    for (const id of ['@google/genai-extra', '@google/generative-ai', '@google/gen', 'genai', './@google/genai']) assert.equal(isGenAI(id), false, id);
  });
});
