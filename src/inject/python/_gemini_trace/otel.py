"""Joining the app's own trace. When a span of the app's is current where it calls Gemini, our
spans become children of that span, in its trace: one trace per call, not two. Two places hold
such a span:
- MLflow's tracing (`@mlflow.trace`, `mlflow.start_span`, `mlflow.gemini.autolog()`), which by
  default keeps its current span in a runtime context of its own;
- OpenTelemetry's context: an app with its own tracer provider, or MLflow in its unified mode
  (MLFLOW_USE_DEFAULT_TRACER_PROVIDER=false, exporting through OpenTelemetry).
Only modules the app already imported are consulted; this module never imports mlflow or
opentelemetry.

Inside the span MLflow's Gemini autolog opened for the same call, that span already carries the
call's tokens (MLflow counts the topmost usage of a branch), so ours leave usage out."""

import sys

# Span names MLflow's Gemini autolog gives the calls it patches (mlflow/gemini/autolog.py).
_AUTOLOG_PREFIXES = ("Models.", "AsyncModels.", "Chat.", "AsyncChat.", "GenerativeModel.", "ChatSession.")


# OpenTelemetry span id → the Frame of the Call that mirrors it (otel_bridge.py: a framework's own
# spans, such as Google ADK's). A Gemini call made under such a span nests under its mirror.
mirrored = {}


class Parent:
    __slots__ = ("trace_id", "span_id", "autolog", "frame")

    def __init__(self, trace_id, span_id, autolog, frame=None):
        self.trace_id, self.span_id, self.autolog, self.frame = trace_id, span_id, autolog, frame


def _valid(span):
    ctx = span.get_span_context() if span is not None else None
    return ctx if ctx is not None and ctx.is_valid else None


def current_parent():
    """The app's current span as a Parent, or None. Never raises."""
    try:
        provider = sys.modules.get("mlflow.tracing.provider")
        get = getattr(provider, "get_current_otel_span", None)
        span = get() if get is not None else None
        ctx = _valid(span)
        if ctx is None:
            trace = sys.modules.get("opentelemetry.trace")
            if trace is None:
                return None
            span = trace.get_current_span()
            ctx = _valid(span)
            if ctx is None:
                return None
            frame = mirrored.get(ctx.span_id)
            if frame is not None:
                return Parent(ctx.trace_id, ctx.span_id, False, frame)
        name = getattr(span, "name", "") or ""
        attributes = getattr(span, "attributes", None) or {}
        autolog = provider is not None and name.startswith(_AUTOLOG_PREFIXES) and "mlflow.spanType" in attributes
        return Parent(ctx.trace_id, ctx.span_id, autolog)
    except Exception:
        return None
