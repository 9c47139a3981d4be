// The OTLP/protobuf encoding of a batch of spans (the serializer `@opentelemetry/exporter-trace-
// otlp-proto` uses), in a module of its own so that exporter.ts can load it on the first export:
// it is the largest part of the preload, and a module imported here stays tree-shaken in the
// bundle, where a `require` of the package would bring all of it.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export function serializeSpans(spans: ReadableSpan[]): Uint8Array | undefined {
  return ProtobufTraceSerializer.serializeRequest(spans);
}
