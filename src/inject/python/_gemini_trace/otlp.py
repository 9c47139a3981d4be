"""Finished spans as an OTLP ExportTraceServiceRequest in protobuf, the encoding MLflow's
`POST /v1/traces` accepts in every release that has the endpoint (3.6.0 on; OTLP/JSON only from
3.12.0). Written by hand on the standard library: the subset of opentelemetry/proto/trace/v1 and
common/v1 a span needs is a handful of fields, and a protobuf package in the app's environment is
neither guaranteed nor ours to import. Field numbers are those of the .proto files."""

import struct

SERVICE_NAME = "gemini-trace-python"

# Wire types.
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


def _varint(n):
    if n < 0:
        n += 1 << 64  # int64 negatives: two's complement, ten bytes
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field, wire):
    return _varint((field << 3) | wire)


def _len(field, payload):
    return _key(field, _LEN) + _varint(len(payload)) + payload


def _str(field, text):
    return _len(field, text.encode("utf-8", "surrogatepass"))


def _fixed64(field, n):
    return _key(field, _I64) + struct.pack("<Q", n)


def any_value(v):
    """AnyValue: string 1, bool 2, int 3, double 4, array 5. Other values are sent as their text."""
    if isinstance(v, bool):
        return _key(2, _VARINT) + (b"\x01" if v else b"\x00")
    if isinstance(v, int):
        return _key(3, _VARINT) + _varint(v) if -(1 << 63) <= v < (1 << 63) else _str(1, str(v))
    if isinstance(v, float):
        return _key(4, _I64) + struct.pack("<d", v)
    if isinstance(v, (list, tuple)):
        return _len(5, b"".join(_len(1, any_value(x)) for x in v))
    return _str(1, v if isinstance(v, str) else str(v))


def _attributes(field, attrs):
    return b"".join(_len(field, _str(1, k) + _len(2, any_value(v))) for k, v in attrs.items())


def _span(s):
    out = [
        _len(1, s.trace_id.to_bytes(16, "big")),
        _len(2, s.span_id.to_bytes(8, "big")),
    ]
    if s.parent_id:
        out.append(_len(4, s.parent_id.to_bytes(8, "big")))
    out.append(_str(5, s.name))
    out.append(_key(6, _VARINT) + _varint(s.kind))
    out.append(_fixed64(7, s.start_ns))
    out.append(_fixed64(8, s.end_ns or s.start_ns))
    out.append(_attributes(9, s.attributes))
    for name, at, attrs in s.events:
        out.append(_len(11, _fixed64(1, at) + _str(2, name) + _attributes(3, attrs)))
    status = b""
    if s.status_message:
        status += _str(2, s.status_message)
    if s.status_code:
        status += _key(3, _VARINT) + _varint(s.status_code)
    out.append(_len(15, status))
    return b"".join(out)


_SCOPE = _len(1, _str(1, SERVICE_NAME))
_resources = {}


def _resource(tags):
    """The resource: service.name and the process's run tags. MLflow stores a batch's resource
    attributes as tags of every trace in it (on each batch, not only the one with the root span),
    so a trace whose root is still open (a background run, a Live session) is tagged with its run
    from its first exported span, as the Node preload's are (tracer.ts)."""
    key = tuple(sorted(tags.items())) if tags else ()
    out = _resources.get(key)
    if out is None:
        attrs = {"service.name": SERVICE_NAME}
        attrs.update(tags or {})
        out = _resources[key] = _len(1, _attributes(1, attrs))
    return out


def encode(spans, tags=None):
    """ExportTraceServiceRequest{resource_spans: [{resource, scope_spans: [{scope, spans}]}]}."""
    scope_spans = _SCOPE + b"".join(_len(2, _span(s)) for s in spans)
    return _len(1, _resource(tags) + _len(2, scope_spans))
