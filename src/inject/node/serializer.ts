// The OTLP/protobuf encoding of a batch of spans (an ExportTraceServiceRequest, field numbers from
// opentelemetry-proto's trace.proto and common.proto), on our own writer (protoWriter.ts): the
// OpenTelemetry serializer walked every character of every string twice in JavaScript, on the
// app's thread, for every batch (a 2 KB prompt: 30 against 9 µs a span). The bytes are what that
// serializer writes for the same spans (test/unit/otlp-serializer.test.ts holds the two
// together), zero counts included.
import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtoWriter } from './protoWriter';

type Resource = ReadableSpan['resource'];
type Scope = ReadableSpan['instrumentationScope'];

export function serializeSpans(spans: ReadableSpan[]): Uint8Array {
  const w = new ProtoWriter();
  for (const [resource, scopes] of grouped(spans)) {
    const rs = w.begin(1); // ExportTraceServiceRequest.resource_spans
    const r = w.begin(1); // ResourceSpans.resource
    attributes(w, 1, resource.attributes);
    w.varintField(2, 0);
    w.end(r);
    for (const list of scopes.values()) {
      const ss = w.begin(2); // ResourceSpans.scope_spans
      scope(w, list[0].instrumentationScope);
      for (const span of list) writeSpan(w, span);
      if (list[0].instrumentationScope.schemaUrl) w.stringField(3, list[0].instrumentationScope.schemaUrl);
      w.end(ss);
    }
    if (resource.schemaUrl) w.stringField(3, resource.schemaUrl);
    w.end(rs);
  }
  return w.finish();
}

/** Spans by resource, then by instrumentation scope, each in first-seen order. */
function grouped(spans: ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const out = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = out.get(span.resource);
    if (!scopes) out.set(span.resource, (scopes = new Map()));
    const list = scopes.get(span.instrumentationScope);
    if (list) list.push(span);
    else scopes.set(span.instrumentationScope, [span]);
  }
  return out;
}

function scope(w: ProtoWriter, s: Scope): void {
  const at = w.begin(1); // ScopeSpans.scope
  w.stringField(1, s.name);
  if (s.version) w.stringField(2, s.version);
  w.end(at);
}

/** SpanFlags: the W3C trace flags, and whether the parent is known to be remote. */
function flags(ctx: SpanContext | undefined, traceFlags: number): number {
  return (traceFlags & 0xff) | 0x100 | (ctx?.isRemote ? 0x200 : 0);
}

function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const at = w.begin(2); // ScopeSpans.spans
  const ctx = span.spanContext();
  w.hexField(1, ctx.traceId);
  w.hexField(2, ctx.spanId);
  const state = ctx.traceState?.serialize();
  if (state) w.stringField(3, state);
  if (span.parentSpanContext?.spanId) w.hexField(4, span.parentSpanContext.spanId);
  w.stringField(5, span.name);
  // The API's kinds start at INTERNAL = 0, the protocol's at UNSPECIFIED = 0.
  if (span.kind != null) w.varintField(6, span.kind + 1);
  w.hrTimeField(7, span.startTime);
  w.hrTimeField(8, span.endTime);
  attributes(w, 9, span.attributes);
  w.varintField(10, span.droppedAttributesCount);
  for (const e of span.events) event(w, e);
  w.varintField(12, span.droppedEventsCount);
  for (const l of span.links) link(w, l);
  w.varintField(14, span.droppedLinksCount);
  const status = w.begin(15);
  if (span.status.message) w.stringField(2, span.status.message);
  w.varintField(3, span.status.code);
  w.end(status);
  w.fixed32Field(16, flags(span.parentSpanContext, ctx.traceFlags));
  w.end(at);
}

function event(w: ProtoWriter, e: TimedEvent): void {
  const at = w.begin(11);
  w.hrTimeField(1, e.time as HrTime);
  w.stringField(2, e.name);
  attributes(w, 3, e.attributes);
  w.varintField(4, e.droppedAttributesCount ?? 0);
  w.end(at);
}

function link(w: ProtoWriter, l: Link): void {
  const at = w.begin(13);
  w.hexField(1, l.context.traceId);
  w.hexField(2, l.context.spanId);
  const state = l.context.traceState?.serialize();
  if (state) w.stringField(3, state);
  attributes(w, 4, l.attributes);
  w.varintField(5, l.droppedAttributesCount ?? 0);
  w.fixed32Field(6, flags(l.context, l.context.traceFlags));
  w.end(at);
}

/** Repeated KeyValue. */
function attributes(w: ProtoWriter, field: number, attrs: Attributes | undefined): void {
  if (!attrs) return;
  for (const key in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
    const kv = w.begin(field);
    w.stringField(1, key);
    const v = w.begin(2);
    anyValue(w, attrs[key]);
    w.end(v);
    w.end(kv);
  }
}

/** An AnyValue's one field; nothing for undefined or null (an empty AnyValue). */
function anyValue(w: ProtoWriter, value: AttributeValue | Uint8Array | Record<string, unknown> | null | undefined): void {
  if (typeof value === 'string') w.stringField(1, value);
  else if (typeof value === 'boolean') w.boolField(2, value);
  else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) w.int64Field(3, value);
    else w.doubleField(4, value);
  } else if (value instanceof Uint8Array) w.bytesField(7, value);
  else if (Array.isArray(value)) {
    const arr = w.begin(5);
    for (const item of value) {
      const v = w.begin(1);
      anyValue(w, item as AttributeValue);
      w.end(v);
    }
    w.end(arr);
  } else if (value && typeof value === 'object') {
    const list = w.begin(6);
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      const kv = w.begin(1);
      w.stringField(1, k);
      const v = w.begin(2);
      anyValue(w, (value as Record<string, unknown>)[k] as AttributeValue);
      w.end(v);
      w.end(kv);
    }
    w.end(list);
  }
}
