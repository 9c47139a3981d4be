// The Gemini stand-in, driven by the real clients: `@google/genai` (JS) in this process and
// `google-genai` (Python) from the project venv, each pointed at it by GOOGLE_GEMINI_BASE_URL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, GoogleGenAI } from '@google/genai';
import type { CallableTool, FunctionCall, Part } from '@google/genai';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { countWords } from '../fixtures/gemini/replies';

const root = join(__dirname, '..', '..');
const venvPython = join(root, '.venv', 'bin', 'python');
const MODEL = 'gemini-2.5-flash';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('Gemini stand-in', () => {
  let s: Standin;
  let ai: GoogleGenAI;

  before(async () => {
    s = await startStandin();
    ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: s.url } });
  });
  after(() => s.close());
  beforeEach(() => s.reset());

  describe('with the real @google/genai', () => {
    it('answers generateContent with echo text and word-count usage', async () => {
      const r = await ai.models.generateContent({ model: MODEL, contents: 'hello there world', config: { systemInstruction: 'be brief' } });
      assert.equal(r.text, 'echo: hello there world');
      assert.deepEqual(r.usageMetadata, { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 });
      assert.equal(s.calls.length, 1);
      const c = s.calls[0];
      assert.equal(c.method, 'generateContent');
      assert.equal(c.model, MODEL);
      assert.equal(c.apiKey, 'test-key');
      assert.match(c.apiVersion, /^v1/);
      assert.equal(c.body.systemInstruction.parts[0].text, 'be brief');
    });

    it('is reached through GOOGLE_GEMINI_BASE_URL too', async () => {
      const saved = process.env.GOOGLE_GEMINI_BASE_URL;
      process.env.GOOGLE_GEMINI_BASE_URL = s.url;
      try {
        const r = await new GoogleGenAI({ apiKey: 'k2' }).models.generateContent({ model: MODEL, contents: 'via env' });
        assert.equal(r.text, 'echo: via env');
        assert.equal(s.calls[0].apiKey, 'k2');
      } finally {
        if (saved === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL; else process.env.GOOGLE_GEMINI_BASE_URL = saved;
      }
    });

    it('adds thoughts and cached tokens on request', async () => {
      const r = await ai.models.generateContent({
        model: MODEL, contents: 'think hard [[cached]]', config: { thinkingConfig: { includeThoughts: true } },
      });
      const parts = r.candidates![0].content!.parts!;
      assert.equal(parts[0].thought, true);
      assert.equal(parts[0].text, 'thinking about: think hard');
      assert.equal(r.text, 'echo: think hard');
      const u = r.usageMetadata!;
      assert.equal(u.thoughtsTokenCount, 4);
      assert.equal(u.cachedContentTokenCount, 1);
      assert.equal(u.totalTokenCount, u.promptTokenCount! + u.candidatesTokenCount! + 4);
    });

    it('streams over SSE in at least 3 chunks, usage on the last', async () => {
      const chunks = [];
      for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'stream this please' })) chunks.push(c);
      assert.ok(chunks.length >= 3, `got ${chunks.length} chunks`);
      assert.equal(chunks.map((c) => c.text).join(''), 'echo: stream this please');
      assert.equal(chunks.at(-1)!.candidates![0].finishReason, 'STOP');
      assert.deepEqual(chunks.at(-1)!.usageMetadata, { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 });
      assert.equal(chunks[0].usageMetadata, undefined);
      assert.equal(s.calls[0].method, 'streamGenerateContent');
      assert.equal(s.calls[0].response.length, chunks.length);
    });

    it('runs the SDK automatic function calling loop through a chat', async () => {
      const seen: FunctionCall[] = [];
      const tool: CallableTool = {
        tool: async () => ({ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }),
        callTool: async (calls: FunctionCall[]): Promise<Part[]> => {
          seen.push(...calls);
          return calls.map((c) => ({ functionResponse: { name: c.name, response: { temp: 21 } } }));
        },
      };
      const chat = ai.chats.create({ model: MODEL, config: { tools: [tool] } });
      const r = await chat.sendMessage({ message: 'weather in Paris? [[call:get_weather]]' });
      assert.deepEqual(seen, [{ name: 'get_weather', args: { city: 'test' } }]);
      assert.equal(r.text, 'get_weather returned {"temp":21}');
      assert.deepEqual(s.calls.map((c) => c.method), ['generateContent', 'generateContent']);
      assert.ok(s.calls[1].body.contents.at(-1).parts[0].functionResponse, 'second call carries the function response');
    });

    it('returns explicit function-call args from the marker', async () => {
      const r = await ai.models.generateContent({ model: MODEL, contents: 'go [[call:lookup {"q":"x","n":2}]] [[call:other]]' });
      assert.deepEqual(r.functionCalls, [{ name: 'lookup', args: { q: 'x', n: 2 } }, { name: 'other', args: {} }]);
    });

    it('embeds (batchEmbedContents) deterministically and counts tokens', async () => {
      const e = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['alpha', 'beta', 'alpha'], config: { outputDimensionality: 4 } });
      assert.equal(e.embeddings!.length, 3);
      assert.equal(e.embeddings![0].values!.length, 4);
      assert.deepEqual(e.embeddings![0].values, e.embeddings![2].values);
      assert.notDeepEqual(e.embeddings![0].values, e.embeddings![1].values);
      assert.equal(s.calls[0].method, 'batchEmbedContents');
      const t = await ai.models.countTokens({ model: MODEL, contents: 'one two three four' });
      assert.equal(t.totalTokens, 4);
    });

    it('fails with 429 RESOURCE_EXHAUSTED and RetryInfo, 500 and 400', async () => {
      const err = async (text: string) => {
        try {
          await ai.models.generateContent({ model: MODEL, contents: text });
        } catch (e) {
          return e as ApiError;
        }
        assert.fail(`no error for ${text}`);
      };
      const e429 = await err('too much [[429]]');
      assert.ok(e429 instanceof ApiError);
      assert.equal(e429.status, 429);
      assert.match(e429.message, /RESOURCE_EXHAUSTED/);
      assert.match(e429.message, /google\.rpc\.RetryInfo/);
      assert.equal((await err('[[500]]')).status, 500);
      assert.equal((await err('[[400]]')).status, 400);
      assert.deepEqual(s.calls.map((c) => c.status), [429, 500, 400]);
    });

    it('serves scripted replies in order, then falls back to the defaults', async () => {
      s.enqueue('generateContent', { body: { candidates: [{ content: { role: 'model', parts: [{ text: 'scripted!' }] } }] } });
      s.enqueue('generateContent', { status: 503, body: { error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } } });
      assert.equal((await ai.models.generateContent({ model: MODEL, contents: 'x' })).text, 'scripted!');
      await assert.rejects(ai.models.generateContent({ model: MODEL, contents: 'x' }), (e: ApiError) => e.status === 503);
      assert.equal((await ai.models.generateContent({ model: MODEL, contents: 'x' })).text, 'echo: x');
    });

    it('is slow on request (marker and scripted)', async () => {
      let t0 = Date.now();
      await ai.models.generateContent({ model: MODEL, contents: 'wait [[slow:300]]' });
      assert.ok(Date.now() - t0 >= 290, `took ${Date.now() - t0} ms`);
      s.enqueue('streamGenerateContent', { chunks: [{ candidates: [{ content: { parts: [{ text: 'a' }] } }] }, { candidates: [{ content: { parts: [{ text: 'b' }] } }] }], chunkDelayMs: 250 });
      t0 = Date.now();
      let text = '';
      for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'x' })) text += c.text;
      assert.equal(text, 'ab');
      assert.ok(Date.now() - t0 >= 240, `took ${Date.now() - t0} ms`);
    });

    it('resets the connection mid-stream', async () => {
      const got: string[] = [];
      await assert.rejects(async () => {
        for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'break me now [[reset]]' })) got.push(c.text ?? '');
      });
      assert.equal(got.length, 1, 'exactly the first chunk arrives before the reset');
      assert.equal(s.calls[0].reset, true);
    });
  });

  describe('with the real google-genai (Python)', () => {
    it('generates, streams, calls functions automatically, embeds, counts tokens and fails with 429', async function () {
      this.timeout(120_000);
      // Async, never spawnSync: the stand-in answers from this very event loop.
      const r = await run(venvPython, [join(root, 'test/fixtures/gemini/sdk_probe.py')], {
        ...process.env, GOOGLE_GEMINI_BASE_URL: s.url, GEMINI_API_KEY: 'test-key', PYTHONPATH: '',
      });
      assert.equal(r.status, 0, `python failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      assert.equal(out.generate.text, 'echo: hello python');
      assert.deepEqual(out.generate.thought, ['thinking about: hello python']);
      assert.deepEqual(out.generate.usage, { prompt_token_count: 3, candidates_token_count: 3, thoughts_token_count: 4, total_token_count: 10 });
      assert.ok(out.stream.length >= 3);
      assert.equal(out.stream.join(''), 'echo: stream from python');
      // google-genai wraps a function's return value as {result: …}.
      assert.equal(out.afc.text, 'get_weather returned {"result":{"temp":21,"city":"test"}}');
      assert.deepEqual(out.manualCall, [{ name: 'lookup', args: { q: 'x' } }]);
      assert.deepEqual(out.embed, [8, 8]);
      assert.equal(out.countTokens, 4);
      assert.equal(out.error.code, 429);
      assert.equal(out.error.status, 'RESOURCE_EXHAUSTED');
      assert.equal(out.error.details.error.details[0]['@type'], 'type.googleapis.com/google.rpc.RetryInfo');
      const methods = s.calls.map((c) => c.method);
      assert.deepEqual(methods, ['generateContent', 'streamGenerateContent', 'generateContent', 'generateContent', 'generateContent', 'batchEmbedContents', 'countTokens', 'generateContent']);
      assert.ok(s.calls.every((c) => c.apiKey === 'test-key'));
      // The AFC round trip: the SDK sent the function's own result back.
      assert.deepEqual(s.calls[3].body.contents.at(-1).parts[0].functionResponse.response, { result: { temp: 21, city: 'test' } });
    });
  });

  describe('as its own process (cli.ts)', () => {
    it('prints its URL first and logs each call as a JSON line', async function () {
      this.timeout(60_000);
      const log = join(mkdtempSync(join(tmpdir(), 'gt-standin-')), 'calls.jsonl');
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/gemini/cli.ts'), '--delay-ms', '50', '--log', log], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let buf = '';
          child.stdout.on('data', (d: Buffer) => {
            buf += d.toString();
            const line = buf.split('\n')[0];
            if (buf.includes('\n')) {
              const m = /^GEMINI_STANDIN_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
              if (m) resolve(m[1]); else reject(new Error(`unexpected first line ${line}`));
            }
          });
          child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
        });
        const client = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: url } });
        const t0 = Date.now();
        const r = await client.models.generateContent({ model: MODEL, contents: 'from the cli' });
        assert.ok(Date.now() - t0 >= 45, '--delay-ms applies');
        assert.equal(r.text, 'echo: from the cli');
        const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(lines.length, 1);
        assert.equal(lines[0].method, 'generateContent');
        assert.equal(lines[0].response.usageMetadata.candidatesTokenCount, countWords('echo: from the cli'));
      } finally {
        child.kill('SIGTERM');
      }
    });
  });
});
