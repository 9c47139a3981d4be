"""One traced call = one span. A call's parent is the traced call running in the current context
(a contextvars variable, so threads and asyncio tasks each see their own), else the current
OpenTelemetry span: a framework's span we mirror (otel_bridge.py) is a parent like our own calls,
the app's own span is joined (otel.py); else none: it starts a trace. The outermost call captures the
program's call site and carries the run tags; nested calls (a chat's model call, a tool, an
automatic-function-calling round trip) inherit the call site, as on the Node side (calls.ts). The
spans of a trace share one media budget (media_budget.py) for the blobs their inputs and outputs
keep. A root that stays open while its children are exported (a background run, a Live session)
is named over REST by the export thread meanwhile (open_roots.py).

Every method swallows its own failures: tracing must never change what the app sees."""

import contextvars

from . import callsite, media_budget, open_roots, otel, shapes
from .span import KIND_CLIENT, KIND_INTERNAL, STATUS_ERROR, STATUS_OK, Span

TRACE_TAG = "mlflow.traceTag."
_frame = contextvars.ContextVar("gemini_trace_frame", default=None)


class Runtime:
    cfg = None
    warn = None
    sink = None  # takes each span that ends (the exporter's add), set by starter
    starter = None  # called at the first call: builds and starts the exporter
    root_attributes = {}
    live = set()  # calls started and not ended: closed as interrupted at exit
    finalizers = []  # run at exit before the calls still open are interrupted (background runs, Live sessions)


def setup(cfg, warn, starter):
    Runtime.cfg, Runtime.warn, Runtime.starter = cfg, warn, starter
    Runtime.root_attributes = {TRACE_TAG + k: v for k, v in cfg.run_tags.items()}


def capture():
    return Runtime.cfg is None or Runtime.cfg.capture


class Frame:
    __slots__ = ("call", "site", "afc", "chat_afc", "tools", "no_usage", "loop", "open_loop", "media", "model_calls")

    def __init__(self, call, site, afc, chat_afc, no_usage, media):
        self.call = call
        self.media = media  # the trace's media_budget.Budget, shared by its spans
        self.no_usage = no_usage  # inside MLflow's own Gemini autolog span, which counts the tokens (otel.py)
        self.site = site
        self.afc = afc  # inside a model call that runs the SDK's automatic function calling loop
        self.chat_afc = chat_afc  # that loop is a chat's: its model calls are the round trips
        self.tools = []  # function calls the model asked for, waiting for their TOOL spans
        self.loop = None  # a chat's: the Call of the AFC loop it runs itself, once it has begun (genai_chats.py)
        self.open_loop = None  # a chat's that may run that loop: opens it, at its first round trip
        self.model_calls = 0  # Gemini model calls traced right under this one (a framework's model call: it then counts no usage)

    def afc_frame(self):
        """The frame of the AFC loop running here: this one, or the loop a chat runs itself."""
        if self.loop is not None and not self.loop.ended:
            return self.loop.frame
        return self if self.afc else None


def current():
    f = _frame.get()
    return f if f is not None and not f.call.ended else None


class Call:
    __slots__ = ("span", "frame", "ended", "inner_calls", "open_tags")

    @classmethod
    def start(cls, name, span_type, inputs, model=None, config_json=None, afc=False, chat_afc=False, attributes=None, site=None, message_format="gemini", parent=None, trace_tags=None, open_root=False, ids=None):
        """A new span, or None when tracing is off or fails (the caller then just calls through).
        `inputs` is the JSON-able inputs (already shaped; None: set later); `site` a call site captured earlier;
        `message_format` the wire format of a model call (MESSAGE_FORMAT in src/shared/runTags.ts);
        `attributes` are added as given (a root's `mlflow.traceTag.<tag>` become trace tags);
        `parent` a Frame to start under instead of the current one; `trace_tags` the trace tags
        this call adds when it is the trace's root (a chat's id); `open_root`: a root that stays
        open while its children are exported, named over REST meanwhile (open_roots.py);
        `ids` (trace id, span id) a mirrored span's own (otel_bridge.py), the trace id used when it
        starts a trace."""
        try:
            if Runtime.cfg is None:
                return None
            if Runtime.starter is not None:
                starter, Runtime.starter = Runtime.starter, None
                starter()
            parent = parent or current()
            joined = None
            if parent is None:
                joined = otel.current_parent()
                if joined is not None and joined.frame is not None:
                    parent, joined = joined.frame, None  # a framework's span we mirror (otel_bridge.py)
            if site is None:
                site = parent.site if parent is not None else callsite.capture(2)
            media = parent.media if parent is not None else media_budget.Budget()
            attrs = {"mlflow.spanType": span_type}
            if inputs is not None:
                attrs["mlflow.spanInputs"] = shapes.to_json(media_budget.bound(inputs, media), media.kept)
            if isinstance(model, str) and model:
                attrs["mlflow.llm.model"] = model
                attrs["mlflow.llm.provider"] = "gemini"
                attrs["mlflow.message.format"] = message_format
                attrs.update(shapes.config_attributes(config_json))
                tools = shapes.chat_tools(config_json)
                if tools:
                    attrs["mlflow.chat.tools"] = tools
            if attributes:
                attrs.update(attributes)
            if site is not None:
                attrs["code.filepath"], attrs["code.lineno"], attrs["code.function"] = site
            kind = KIND_INTERNAL if span_type == "TOOL" else KIND_CLIENT
            no_usage = False
            own_root = False
            trace_id, span_id = ids or (None, None)
            if parent is not None:
                span = Span(name, kind, attrs, parent.call.span.trace_id, parent.call.span.span_id, span_id=span_id)
                no_usage = parent.no_usage
                if span_type == "LLM" and "mlflow.llm.model" in attrs:
                    parent.model_calls += 1
            else:
                attrs.update(Runtime.root_attributes)
                attrs[TRACE_TAG + "mlflow.traceName"] = name
                if trace_tags:
                    for k, v in trace_tags.items():
                        attrs[TRACE_TAG + k] = v
                if joined is not None:
                    span = Span(name, kind, attrs, joined.trace_id, joined.span_id, joined=True, span_id=span_id)
                    no_usage = joined.autolog
                else:
                    span = Span(name, kind, attrs, trace_id, span_id=span_id)
                    own_root = True
            call = cls()
            call.span = span
            call.ended = False
            call.inner_calls = 0
            call.open_tags = None
            call.frame = Frame(call, site, afc, chat_afc, no_usage, media)
            if open_root and own_root:
                call.open_tags = {"mlflow.traceName": name}
                call.open_tags.update(trace_tags or {})
                open_roots.opened(span.trace_id, call.open_tags)
            Runtime.live.add(call)
            return call
        except Exception:
            return None

    def enter(self):
        """Makes this call the parent of traced calls made from here on in this context; returns
        the token for leave()."""
        try:
            return _frame.set(self.frame)
        except Exception:
            return None

    @staticmethod
    def leave(token):
        if token is not None:
            try:
                _frame.reset(token)
            except Exception:
                pass  # reset from another context (a generator resumed elsewhere): harmless

    def run(self, fn, args, kwargs, also=()):
        """fn(*args, **kwargs) in this call's context. An error fails the calls in `also` (calls
        that end with this one, or a function giving them), then this call, and reaches the app
        unchanged."""
        token = self.enter()
        try:
            return fn(*args, **kwargs)
        except BaseException as e:
            for call in tuple(also() if callable(also) else also) + (self,):
                call.fail(e)
            raise
        finally:
            self.leave(token)

    async def arun(self, fn, args, kwargs, also=()):
        """run() for a coroutine function."""
        token = self.enter()
        try:
            return await fn(*args, **kwargs)
        except BaseException as e:
            for call in tuple(also() if callable(also) else also) + (self,):
                call.fail(e)
            raise
        finally:
            self.leave(token)

    def set(self, attrs):
        """Sets span attributes while the span is open."""
        if not self.ended:
            try:
                self.span.attributes.update(attrs)
            except Exception:
                pass

    def tag(self, key, value):
        """Tags the trace (MLflow reads `mlflow.traceTag.*` from the root span only)."""
        if self.span.parent_id is None or self.span.joined:
            self.set({TRACE_TAG + key: value})
            if self.open_tags is not None and not self.ended:
                self.open_tags[key] = value

    def usage(self, usage):
        """`mlflow.chat.tokenUsage`, already in MLflow's keys (None: none)."""
        if usage and not self.frame.no_usage:
            self.set({"mlflow.chat.tokenUsage": shapes.to_json(usage)})

    def first_chunk(self):
        try:
            if "gemini_trace.time_to_first_chunk_ms" not in self.span.attributes:
                self.span.attributes["gemini_trace.time_to_first_chunk_ms"] = round(self.span.elapsed_ms(), 3)
        except Exception:
            pass

    def succeed(self, outputs=None, usage_from=None, extra=None, usage=None, end_at=None):
        """Ends the span with its outputs (JSON-able, or a function making them). Usage only on
        model-call spans (MLflow counts a trace's tokens from them): `usage_from` a response JSON
        with usageMetadata, or `usage` a ready `mlflow.chat.tokenUsage` dict (other surfaces).
        `end_at` (time.perf_counter_ns()) when the work ended before the span could (a Live turn
        whose usage trails its turnComplete)."""
        if self.ended:
            return
        try:
            self.span.attributes["mlflow.spanOutputs"] = self._outputs(outputs)
            if usage is None and usage_from is not None:
                usage = shapes.token_usage(usage_from)
            if usage and not self.frame.no_usage:
                self.span.attributes["mlflow.chat.tokenUsage"] = shapes.to_json(usage)
            if extra:
                self.span.attributes.update(extra)
            self.span.status_code = STATUS_OK
        except Exception:
            pass
        self._end(end_at)

    def fail(self, err, outputs=None, extra=None, end_at=None):
        """Ends the span as an error; `end_at` (time.perf_counter_ns()) when the work ended earlier."""
        if self.ended:
            return
        try:
            if outputs is not None:
                self.span.attributes["mlflow.spanOutputs"] = self._outputs(outputs)
            if extra:
                self.span.attributes.update(extra)
            self.span.attributes.update(shapes.error_attributes(err))
            message = _message(err)
            self.span.events.append(("exception", self.span.start_ns, {
                "exception.type": shapes.error_type(err, qualified=True),
                "exception.message": message,
            }))
            self.span.status_code = STATUS_ERROR
            self.span.status_message = message
        except Exception:
            pass
        self._end(end_at)

    def abandon(self, outputs=None):
        """Ends the span with neither OK nor ERROR: its work's outcome is unknown (a background run
        the process stopped watching). MLflow records such a trace as OK; tags say what happened."""
        if self.ended:
            return
        try:
            self.span.attributes["mlflow.spanOutputs"] = self._outputs(outputs)
        except Exception:
            pass
        self._end()

    def interrupt(self):
        """The process is exiting with this call still open (exit.py)."""
        if self.ended:
            return
        self.span.attributes["gemini_trace.interrupted"] = True
        self.span.status_code = STATUS_ERROR
        self.span.status_message = "The process exited before this call finished."
        self._end()

    def _outputs(self, outputs):
        """The outputs' JSON (given, or a function making them), media bounded by the trace's budget."""
        return self.bounded_json(outputs() if callable(outputs) else outputs)

    def bounded_json(self, value):
        """JSON of inputs or outputs (a mirrored span sets its inputs at the end), media bounded by the
        trace's budget."""
        media = self.frame.media
        return shapes.to_json(media_budget.bound(value, media), media.kept)

    def _end(self, end_at=None):
        self.ended = True
        Runtime.live.discard(self)
        try:
            self.span.end(end_at)
            if self.open_tags is not None:
                open_roots.ended(self.span.trace_id)
            if self.span.events:
                self.span.events[-1] = (self.span.events[-1][0], self.span.end_ns, self.span.events[-1][2])
            Runtime.sink(self.span)
        except Exception:
            pass


def _message(err):
    try:
        return str(err) or type(err).__name__
    except Exception:
        return type(err).__name__
