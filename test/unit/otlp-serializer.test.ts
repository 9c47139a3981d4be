// The preload's OTLP/protobuf encoding (src/inject/node/serializer.ts on protoWriter.ts) against
// OpenTelemetry's own serializer, byte for byte, on spans the real OpenTelemetry SDK made: every
// attribute type, hostile and long strings (lengths of one, two and three varint bytes), events,
// a link, an error status, several scopes. The component suites send it to a real MLflow.
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { serializeSpans } from '../../src/inject/node/serializer';
import { ProtoWriter } from '../../src/inject/node/protoWriter';

function spansOf(make: (provider: TracerProvider) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'gemini-trace-node', 'gemini_trace.run_id': 'r-1' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  make(provider);
  return exporter.getFinishedSpans();
}

const theirs = (spans: ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
const ours = (spans: ReadableSpan[]) => Buffer.from(serializeSpans(spans));

describe('Node preload: OTLP/protobuf encoding', () => {
  it('writes the bytes OpenTelemetry writes, for every kind of attribute and string', () => {
    const hostile = 'Ünïcödé 日本語 🙂 \u0000 "quotes" \\ <b>&amp;</b> \ud800 lone \udfff surrogates';
    const attrs: Attributes = {
      short: 'x',
      empty: '',
      accent: 'café', // short, not ASCII: the copy gives way to Node's encoder
      emoji: '🙂',
      ascii63: 'a'.repeat(63),
      ascii64: 'a'.repeat(64),
      'ключ': 'значение',
      hostile,
      mid: 'ä'.repeat(100), // 200 bytes: a two-byte length
      long: `${'prompt 🙂 '.repeat(20_000)}end`, // ~240 KB: a three-byte length
      int: 42,
      zero: 0,
      negative: -7,
      big: 2 ** 40 + 3,
      huge: 2 ** 60,
      float: 3.25,
      nan: Number.NaN,
      yes: true,
      no: false,
      strings: ['a', hostile, ''],
      numbers: [1, 2.5, -3],
      bools: [true, false],
      holes: ['a', null as unknown as string, undefined as unknown as string],
      missing: undefined,
    };
    const spans = spansOf((p) => {
      const t = p.getTracer('gemini-trace', '1.2.3');
      t.startActiveSpan('root', { kind: SpanKind.SERVER, attributes: attrs }, (root) => {
        const child = t.startSpan('Models.generateContent', { kind: SpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { why: 'resend' } }] });
        child.addEvent('chunk', { index: 1, text: hostile });
        child.addEvent('bare');
        child.setStatus({ code: SpanStatusCode.ERROR, message: `429 ${hostile}` });
        child.end();
        root.setStatus({ code: SpanStatusCode.OK });
        root.end();
      });
      p.getTracer('another-scope').startSpan('other', { kind: SpanKind.INTERNAL }).end();
    });
    assert.equal(spans.length, 3);
    const a = ours(spans);
    const b = theirs(spans);
    assert.ok(a.length > 240_000, `${a.length} bytes`);
    assert.equal(a.length, b.length, 'the same length');
    assert.ok(a.equals(b), `first difference at byte ${a.findIndex((x, i) => x !== b[i])}`);
  });

  it('writes an empty batch and a one-span batch as OpenTelemetry does', () => {
    assert.ok(ours([]).equals(theirs([])));
    const one = spansOf((p) => p.getTracer('t').startSpan('s').end());
    assert.ok(ours(one).equals(theirs(one)));
  });

  it('grows its buffer and moves nested content for long lengths without losing a byte', () => {
    const w = new ProtoWriter(8);
    const outer = w.begin(1);
    for (let i = 0; i < 50; i++) {
      const inner = w.begin(2);
      w.stringField(1, 'y'.repeat(i * 7));
      w.end(inner);
    }
    w.end(outer);
    const bytes = Buffer.from(w.finish());
    // Walk it back: one field 1 holding 50 fields 2, each holding one string of i * 7 bytes.
    let at = 0;
    const varint = () => {
      let n = 0;
      for (let shift = 1; ; shift *= 128) {
        const b = bytes[at++];
        n += (b & 127) * shift;
        if (b < 128) return n;
      }
    };
    assert.equal(varint(), (1 << 3) | 2);
    assert.equal(varint(), bytes.length - at);
    for (let i = 0; i < 50; i++) {
      assert.equal(varint(), (2 << 3) | 2);
      const len = varint();
      const end = at + len;
      assert.equal(varint(), (1 << 3) | 2);
      assert.equal(varint(), i * 7);
      assert.equal(bytes.subarray(at, at + i * 7).toString(), 'y'.repeat(i * 7));
      at += i * 7;
      assert.equal(at, end);
    }
    assert.equal(at, bytes.length);
  });
});
