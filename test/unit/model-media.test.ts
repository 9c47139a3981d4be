// What a Gemini call holds beyond text, read without trusting it: grounding supports placed in the
// answer by UTF-8 byte offsets (or found by their text, or kept unplaced), media parts and where
// their bytes are (recorded, an MLflow attachment, or elided by a tracer), structured output
// checked against Gemini's and JSON Schema's schemas, and media bytes made safe to show. Pure.
import assert from 'node:assert/strict';
import { charIndexAtByte } from '../../src/model/call/grounding';
import { readModelCall } from '../../src/model/adapters/read';
import { checkResponseSchema, fromGeminiSchema } from '../../src/model/call/schemaCheck';
import type { ModelCall } from '../../src/model/call/types';
import { MEDIA_ELIDED } from '../../src/shared/runTags';
import { decodeBase64, imageSize, MEDIA_RENDER_LIMIT, pcmRate, presentMedia, sniff } from '../../src/panel/media';
import { parseAttachmentRef } from '../../src/panel/mediaSource';
import { makePcm, makePng } from '../fixtures/gemini/richReplies';
import { toTrace } from '../fixtures/surfaces/spec';

function call(outputs: unknown, inputs: unknown = { model: 'gemini-3-flash-preview', contents: 'q' }): ModelCall {
  const t = toTrace({ name: 'x', spans: [{ key: 'a', name: 'models.generateContent', type: 'LLM', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini', 'mlflow.spanInputs': inputs, 'mlflow.spanOutputs': outputs } }] });
  return readModelCall(t.spans[0])!;
}

const answer = (parts: unknown[], groundingMetadata?: unknown) => ({ candidates: [{ content: { role: 'model', parts }, ...(groundingMetadata ? { groundingMetadata } : {}) }] });

describe('grounding: supports placed in the answer', () => {
  it('converts UTF-8 byte offsets to character offsets, and refuses offsets inside a character', () => {
    const s = 'Zürich 😀 ok';
    assert.equal(charIndexAtByte(s, 0), 0);
    assert.equal(charIndexAtByte(s, 3), 2, 'ü is two bytes');
    assert.equal(charIndexAtByte(s, 2), -1, 'inside ü');
    assert.equal(charIndexAtByte(s, 12), 9, '😀 is four bytes and two UTF-16 units');
    assert.equal(charIndexAtByte(s, 100), -1, 'past the end');
  });

  it('places supports by bytes, by their text when the bytes are off, and keeps the rest as recorded', () => {
    const text = 'Zürich is in Switzerland. Bern is its capital. Cats purr.';
    const b = (i: number) => Buffer.byteLength(text.slice(0, i));
    const c = call(answer([{ text: 'thinking', thought: true }, { text }], {
      groundingChunks: [{ web: { uri: 'https://a.test/1', title: 'a.test' } }, { web: { title: 'no uri' } }, { web: { uri: 'https://b.test/2', title: 'B', domain: 'b.test' } }],
      groundingSupports: [
        { segment: { partIndex: 1, startIndex: 0, endIndex: b(25), text: 'Zürich is in Switzerland.' }, groundingChunkIndices: [0, 2], confidenceScores: [0.9, 0.5] },
        // Offsets counted as characters, not bytes: found by its text instead.
        { segment: { partIndex: 1, startIndex: 26, endIndex: 46, text: 'Bern is its capital.' }, groundingChunkIndices: [1, 2, 9] },
        { segment: { startIndex: 5000, endIndex: 6000, text: 'not in the answer' }, groundingChunkIndices: [0] },
        { segment: { startIndex: -3, endIndex: 'x' }, groundingChunkIndices: ['0'] },
      ],
    }));
    const g = c.response[0].grounding!;
    assert.deepEqual(g.links, [{ url: 'https://a.test/1', title: 'a.test' }, { url: 'https://b.test/2', title: 'B', domain: 'b.test' }]);
    assert.deepEqual(g.supports, [
      { part: 1, start: 0, end: 25, sources: [0, 1], confidence: [0.9, 0.5] },
      // Chunk 1 has no URL and chunk 9 does not exist: only the real source remains.
      { part: 1, start: 26, end: 46, sources: [1] },
    ]);
    assert.equal(g.unplaced?.length, 2, 'the segment not in the text, and the malformed one');
    const parts = c.response[0].message.parts as { text: string }[];
    assert.equal(parts[1].text.slice(g.supports![1].start, g.supports![1].end), 'Bern is its capital.');
  });

  it('reads an interaction\'s url_citation annotations the same way', () => {
    const t = toTrace({ name: 'x', spans: [{ key: 'a', name: 'Interactions.create', type: 'CHAT_MODEL', startMs: 0, endMs: 1, attributes: {
      'mlflow.message.format': 'gemini.interactions',
      'mlflow.spanInputs': { model: 'm', input: 'q' },
      'mlflow.spanOutputs': { id: 'i', status: 'completed', steps: [
        { type: 'google_search_call', id: 's', arguments: { queries: ['q'] } },
        { type: 'model_output', content: [{ type: 'text', text: 'Ünïcode fact. Other.', annotations: [{ type: 'url_citation', url: 'https://c.test', title: 'C', start_index: 0, end_index: Buffer.byteLength('Ünïcode fact.') }] }] },
      ] },
    } }] });
    const c = readModelCall(t.spans[0])!;
    assert.deepEqual(c.response[0].grounding?.supports, [{ part: 1, start: 0, end: 13, sources: [0] }]);
  });
});

describe('media parts: where the bytes are', () => {
  it('keeps the recorded base64 as the same string, an attachment reference, or a tracer\'s elision', () => {
    const data = makePng(4, 4).toString('base64');
    const c = call(answer([
      { inlineData: { mimeType: 'image/png', data } },
      { inline_data: { mime_type: 'image/png', data: 'mlflow-attachment://0b0c6a56-1f9a-4a54-9c7f-1d7e0ed2a1f3?content_type=image%2Fpng&trace_id=tr-1&size=2048' } },
      { inlineData: { mimeType: 'video/mp4', [MEDIA_ELIDED.bytes]: 5_000_000, [MEDIA_ELIDED.reason]: 'over the 1 MB per-part limit' } },
      { inline_data: { mime_type: 'image/png', data: '[Attachment too large: 9000000 bytes exceeds 1000 bytes limit]' } },
    ]));
    const [a, b, v, m] = c.response[0].message.parts as Extract<ModelCall['request'][number]['parts'][number], { kind: 'media' }>[];
    assert.equal(a.data, data, 'the span\'s own string');
    assert.equal(a.bytes, makePng(4, 4).length);
    assert.equal(b.attachment?.startsWith('mlflow-attachment://0b0c6a56'), true);
    assert.equal(b.bytes, 2048);
    assert.deepEqual(v, { kind: 'media', mimeType: 'video/mp4', bytes: 5_000_000, elided: 'over the 1 MB per-part limit' });
    assert.equal(m.bytes, 9_000_000);
    assert.match(m.elided ?? '', /Attachment too large/);
    assert.ok(!c.responseText.includes(data.slice(0, 40)) && c.responseText.startsWith('[image/png, '), 'the texts name media, never hold their bytes');
    assert.deepEqual(parseAttachmentRef(b.attachment!), { id: '0b0c6a56-1f9a-4a54-9c7f-1d7e0ed2a1f3', traceId: 'tr-1', contentType: 'image/png' });
    assert.equal(parseAttachmentRef('mlflow-attachment://../../etc/passwd?trace_id=x'), undefined);
  });
});

describe('media bytes made safe to show', () => {
  it('sniffs, sizes and shows real images; refuses lies, SVG and giants', () => {
    const png = makePng(48, 32);
    assert.equal(sniff(png), 'image/png');
    assert.deepEqual(imageSize(png, 'image/png'), { width: 48, height: 32 });
    const shown = presentMedia(png, 'image/png');
    assert.equal(shown.kind, 'shown');
    assert.ok(shown.kind === 'shown' && shown.dataUri.startsWith('data:image/png;base64,iVBOR') && shown.width === 48);
    const lied = presentMedia(png, 'image/jpeg');
    assert.ok(lied.kind === 'shown' && lied.mimeType === 'image/png' && /declared image\/jpeg/.test(lied.note ?? ''), 'shown as what the bytes are');
    const svg = presentMedia(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml');
    assert.equal(svg.kind, 'metadata');
    const html = presentMedia(Buffer.from('<html><script>alert(1)</script>'), 'image/png');
    assert.ok(html.kind === 'metadata' && html.canSave);
    const giant = presentMedia(Buffer.alloc(MEDIA_RENDER_LIMIT + 1), 'image/png');
    assert.ok(giant.kind === 'metadata' && giant.canSave && /limit/.test(giant.reason));
    assert.equal(presentMedia(Buffer.from('%PDF-1.7'), 'application/pdf').kind, 'metadata');
    assert.equal(presentMedia(Buffer.from('x'), 'application/x-unknown').kind, 'metadata');
  });

  it('plays Gemini\'s raw PCM speech as WAV', () => {
    assert.equal(pcmRate('audio/L16;codec=pcm;rate=24000'), 24000);
    assert.equal(pcmRate('audio/pcm;rate=16000'), 16000);
    assert.equal(pcmRate('audio/mpeg'), undefined);
    const pcm = makePcm(100);
    const r = presentMedia(pcm, 'audio/L16;codec=pcm;rate=24000');
    assert.ok(r.kind === 'shown' && r.as === 'audio' && r.mimeType === 'audio/wav' && r.bytes === pcm.length);
    const wav = Buffer.from(r.kind === 'shown' ? r.dataUri.split(',')[1] : '', 'base64');
    assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
    assert.equal(wav.readUInt32LE(24), 24000);
    assert.equal(wav.length, 44 + pcm.length);
  });

  it('decodes base64 and data: URIs, and rejects what is not base64', () => {
    assert.deepEqual(decodeBase64('aGk='), Buffer.from('hi'));
    assert.deepEqual(decodeBase64('data:text/plain;base64,aGk='), Buffer.from('hi'));
    assert.deepEqual(decodeBase64('aG k=\n'), Buffer.from('hi'));
    assert.equal(decodeBase64('<script>'), undefined);
  });
});

describe('structured output against the requested schema', () => {
  const schema = { type: 'OBJECT', properties: { name: { type: 'STRING' }, age: { type: 'INTEGER', nullable: true }, tags: { type: 'ARRAY', items: { type: 'STRING', enum: ['a', 'b'] }, maxItems: '2' } }, required: ['name', 'age'] };
  const ask = (text: string, config: Record<string, unknown>) => checkResponseSchema(call(answer([{ text }]), { model: 'm', contents: 'q', config }))!;

  it('converts Gemini\'s schema (upper-case types, nullable, int64 counts as strings)', () => {
    assert.deepEqual(fromGeminiSchema(schema), {
      type: 'object', required: ['name', 'age'],
      properties: { name: { type: 'string' }, age: { type: ['integer', 'null'] }, tags: { type: 'array', maxItems: 2, items: { type: 'string', enum: ['a', 'b'] } } },
    });
  });

  it('lists each violation with where it is; a valid answer and a null age pass', () => {
    const bad = ask('{"name": 3, "age": "36", "tags": ["a", "c", "b"]}', { responseMimeType: 'application/json', responseSchema: schema });
    assert.equal(bad.valid, false);
    assert.equal(bad.source, 'responseSchema');
    assert.deepEqual(bad.violations.map((v) => v.path).sort(), ['$.age', '$.name', '$.tags', '$.tags[1]']);
    assert.ok(ask('{"name": "x", "age": null}', { responseSchema: schema }).valid);
    // Python's spelling and a fenced answer.
    assert.ok(ask('```json\n{"name": "x", "age": 1}\n```', { response_schema: { ...schema, type: 'object' } }).valid);
  });

  it('reads JSON Schema from responseJsonSchema and an interaction\'s response_format', () => {
    const js = { type: 'object', properties: { n: { type: 'number', minimum: 0 } }, required: ['n'], additionalProperties: false };
    const c = ask('{"n": -1, "x": 1}', { responseJsonSchema: js });
    assert.equal(c.source, 'responseJsonSchema');
    assert.deepEqual(c.violations.map((v) => v.path).sort(), ['$', '$.n', '$.x'], 'the minimum, and the property not allowed');
  });

  it('says plainly when the answer is not JSON, and skips regular expressions that could hang', () => {
    assert.match(ask('Sure! Here it is: {', { responseSchema: schema }).parseError ?? '', /not valid JSON/);
    const slow = ask('{"s": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}', { responseJsonSchema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } });
    assert.equal(slow.valid, true);
    assert.match(slow.skipped?.[0] ?? '', /\^\(a\+\)\+\$/);
  });
});
