"""One span as the tracer records it: OpenTelemetry's data model, no SDK. Ids come from
os.urandom (fork-safe, and the app's `random` state is never touched), or for a span that mirrors
a framework's OpenTelemetry span, from that span; times are wall-clock
nanoseconds as OTLP wants them, durations measured on the monotonic clock."""

import os
import time

KIND_INTERNAL, KIND_CLIENT = 1, 3
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2


class Span:
    __slots__ = (
        "name", "trace_id", "span_id", "parent_id", "kind", "start_ns", "end_ns", "_t0",
        "attributes", "events", "status_code", "status_message", "joined", "size",
    )

    def __init__(self, name, kind, attributes, trace_id=None, parent_id=None, joined=False, span_id=None):
        ids = os.urandom(24) if not (trace_id and span_id) else None
        self.name = name
        self.trace_id = trace_id or int.from_bytes(ids[:16], "big")
        self.span_id = span_id or int.from_bytes(ids[16:], "big") or 1
        self.parent_id = parent_id
        self.kind = kind
        self.start_ns = time.time_ns()
        self._t0 = time.perf_counter_ns()
        self.end_ns = None
        self.attributes = attributes
        self.events = []  # (name, time_ns, attributes)
        self.status_code = STATUS_UNSET
        self.status_message = ""
        # The top span of a trace that belongs to the app's own OpenTelemetry trace (otel.py).
        self.joined = joined
        self.size = 0  # about how many bytes it holds, set when it ends (export.py bounds the queue by it)

    def elapsed_ms(self):
        return (time.perf_counter_ns() - self._t0) / 1e6

    def end(self, at=None):
        """Ends now, or at `at` (a time.perf_counter_ns() reading)."""
        if self.end_ns is None:
            self.end_ns = self.start_ns + max(0, (at or time.perf_counter_ns()) - self._t0)
            n = 256
            for v in self.attributes.values():
                n += len(v) if isinstance(v, str) else 16
            self.size = n
