"""Frameworks that write their own OpenTelemetry spans (Google's ADK) reach MLflow through a span
processor of ours: each span of a scope a framework module watches is mirrored by one of our Calls
(our ids, our exporter, the program's line, the run tags), and a Gemini call made while such a span
is current nests under its mirror (otel.py finds it by span id). Spans of other scopes, the app's
own among them, are left alone.

Which tracer provider: the app's, when it has set one (our processor is added to it); else one we
set, an SDK TracerProvider (a framework that writes spans depends on opentelemetry-sdk, so the app
has it). An app that sets its own provider later still gets it: set_tracer_provider is wrapped to
hand the global over, adding our processor to the app's provider, and the tracers ours gave out
forward to the app's from then on. Only the app's own opentelemetry packages are used, and only
once such a framework has loaded. Nothing here may raise into the program."""

from . import otel, shapes
from .patch import patch

MAX_OPEN = 10000  # mirrors of spans still open; a framework that never ends its spans cannot grow it past this

_handlers = {}  # instrumentation scope name → handler: start(span, parent_frame) → Call or None; end(call, span)
_state = {"processor": None, "ours": None}


def watch(scope, handler):
    """Mirrors the spans `scope` writes from now on; False when the app's OpenTelemetry cannot be
    joined (then only the framework's Gemini calls are traced)."""
    _handlers[scope] = handler
    try:
        return _install()
    except Exception:
        return False


def _install():
    if _state["processor"] is not None:
        return True
    from opentelemetry import trace
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

    processor = _processor_class(SpanProcessor)()
    current = trace.get_tracer_provider()
    if isinstance(current, trace.ProxyTracerProvider):
        ours = _provider_class(TracerProvider, trace.Tracer)()
        ours.add_span_processor(processor)
        trace.set_tracer_provider(ours)
        if trace.get_tracer_provider() is not ours:
            return False
        _state["ours"] = ours
    else:
        add = getattr(current, "add_span_processor", None)
        if add is None:
            return False  # a provider that takes no processors: its spans stay the app's
        add(processor)
    _state["processor"] = processor
    patch(trace, "set_tracer_provider", lambda original: _handing_over(original, trace, processor))
    return True


def _handing_over(original, trace, processor):
    def set_tracer_provider(tracer_provider, *args, **kwargs):
        ours = _state["ours"]
        if ours is None or getattr(trace, "_TRACER_PROVIDER", None) is not ours or tracer_provider is ours:
            return original(tracer_provider, *args, **kwargs)
        try:
            add = getattr(tracer_provider, "add_span_processor", None)
            if add is not None:
                add(processor)
            # OpenTelemetry lets a global provider be set once, and ours took that once: the app's
            # replaces it directly, as if it had been first.
            trace._TRACER_PROVIDER = tracer_provider
            ours.forward_to = tracer_provider
            _state["ours"] = None
        except Exception:
            return original(tracer_provider, *args, **kwargs)
        return None

    return set_tracer_provider


def _provider_class(sdk_provider, api_tracer):
    class Provider(sdk_provider):
        """The SDK's provider, whose tracers go to the app's provider once the app sets one."""

        forward_to = None

        def get_tracer(self, *args, **kwargs):
            return Forwarding(self, args, kwargs)

    class Forwarding(api_tracer):
        def __init__(self, provider, args, kwargs):
            self._provider, self._args, self._kwargs = provider, args, kwargs
            self._mine = self._theirs = None

        def _target(self):
            theirs = self._provider.forward_to
            if theirs is None:
                if self._mine is None:
                    self._mine = sdk_provider.get_tracer(self._provider, *self._args, **self._kwargs)
                return self._mine
            if self._theirs is None:
                self._theirs = theirs.get_tracer(*self._args, **self._kwargs)
            return self._theirs

        def start_span(self, *args, **kwargs):
            return self._target().start_span(*args, **kwargs)

        def start_as_current_span(self, *args, **kwargs):
            return self._target().start_as_current_span(*args, **kwargs)

    return Provider


def _processor_class(base):
    class Mirror(base):
        """Opens a Call as a watched span starts (the span is not yet current: its parent is) and
        ends it, with what the span recorded, as the span ends."""

        def on_start(self, span, parent_context=None):
            try:
                scope = getattr(span, "instrumentation_scope", None)
                handler = _handlers.get(getattr(scope, "name", None))
                if handler is None:
                    return
                parent = span.parent
                frame = otel.mirrored.get(parent.span_id) if parent is not None else None
                call = handler.start(span, frame)
                if call is not None:
                    if len(otel.mirrored) >= MAX_OPEN:
                        otel.mirrored.clear()
                    otel.mirrored[span.context.span_id] = call.frame
            except Exception:
                pass

        def on_end(self, span):
            try:
                frame = otel.mirrored.pop(span.context.span_id, None)
                if frame is not None:
                    _handlers[span.instrumentation_scope.name].end(frame.call, span)
            except Exception:
                pass

        def shutdown(self):
            pass

        def force_flush(self, timeout_millis=30000):
            return True

    return Mirror


def attributes(span):
    """An ended span's attributes as (key, value) pairs: read from the SDK's own dict when it has
    one (several times faster than through its read-only mapping), else through that mapping."""
    raw = getattr(getattr(span, "_attributes", None), "_dict", None)
    return (raw if isinstance(raw, dict) else span.attributes or {}).items()


def error(span):
    """An ended span's failure as an error to record (its exception event's type and message), or
    None when it did not fail."""
    status = getattr(span, "status", None)
    if getattr(getattr(status, "status_code", None), "value", 0) != 2:  # StatusCode.ERROR
        return None
    name, message = None, getattr(status, "description", None) or ""
    for event in getattr(span, "events", None) or ():
        if event.name == "exception":
            name = event.attributes.get("exception.type")
            message = event.attributes.get("exception.message") or message
    return shapes.ReportedError(str(name or "Error"), str(message or name or "error"))
