"""Joining the app's own OpenTelemetry trace. When the app has a tracer provider of its own (or
MLflow's tracing, which is built on OpenTelemetry) and a span is current where it calls Gemini,
our spans become children of that span, in its trace: one trace per call, not two. Only an
OpenTelemetry the app already imported is consulted; this module never imports it."""

import sys


def current_parent():
    """(trace_id, span_id) of the app's current OpenTelemetry span, or None. Never raises."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    try:
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            return ctx.trace_id, ctx.span_id
    except Exception:
        pass
    return None
