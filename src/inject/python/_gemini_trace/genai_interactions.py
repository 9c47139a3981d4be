"""google-genai's Interactions API, `client.interactions` and `client.aio.interactions`: create,
get, cancel and delete, traced with the span shape the Node preload writes for @google/genai (in
full in src/inject/node/interactions.ts's header; names in src/shared/runTags.ts GEMINI_ATTR):
`Interactions.create|get|cancel|delete` spans (CHAT_MODEL, AGENT for an agent, UNKNOWN for
cancel/delete), mlflow.message.format gemini.interactions, inputs the REST request body, outputs
the Interaction as REST JSON, usage once per interaction, the conversation tag over a
previous_interaction_id chain, background runs as one trace each (background_runs.py), named
over REST while they run (open_roots.py), and the call steps a create replays without the thought
signature an earlier reply gave them (step_signatures.py).

Where google-genai differs from @google/genai:
- the client's `interactions` is a lazy property that imports the generated client on first use;
  we wrap that property (on Client and AsyncClient), and the class of the object it hands out is
  patched when the program first reaches for it: a program that never uses Interactions loads
  nothing of it, and of ours;
- create() takes the body as keyword arguments (or `request=`), beside SDK-only ones (api_version,
  extra_headers, extra_query, timeout, automatic_continuation, and extra_body, whose fields do go
  into the body: recorded there). The SDK rewrites a list of content blocks given as `input` into
  one user_input step before sending; we record the body as it sends it, through its own helper;
- results are pydantic models (dumped by alias: REST names); a stream is the SDK's own
  Stream/AsyncStream, tapped in place (interaction_tap.py).
The methods run in no context scope of their own: nothing they call is traced."""

import inspect
import sys

from . import callsite
from .background_runs import BackgroundRun
from .calls import Call, capture
from .interaction_shape import (
    ATTR_BACKGROUND, ATTR_DROPPED, ATTR_ID, ATTR_PREVIOUS, ATTR_STEP_USAGE, FORMAT, TAG_CONVERSATION, as_json, create_attributes,
    create_inputs, failure, get_inputs, interaction_attributes, interaction_outputs, interaction_usage, is_failed, is_running,
)
from .interaction_tap import watch_stream
from .patch import patch, patch_property
from .recent import Recent
from .shapes import ReportedError, to_json
from .step_signatures import dropped_signatures, remember_signed

_METHODS = ("create", "get", "cancel", "delete")
_NOT_BODY = frozenset(("request", "api_version", "extra_headers", "extra_query", "extra_body", "timeout", "automatic_continuation"))
_patched = set()
_counted = Recent()  # ids (and continuation hop ids) whose final usage a span already carried
_conversations = Recent()  # interaction id → the first interaction of its previous_interaction_id chain


def install(client_module):
    for cls in (getattr(client_module, "Client", None), getattr(client_module, "AsyncClient", None)):
        if cls is not None:
            patch_property(cls, "interactions", _instrumenting)


def _instrumenting(value):
    """The getter's value, its class instrumented first (once)."""
    cls = type(value)
    if cls not in _patched:
        _patched.add(cls)
        try:
            for name in _METHODS:
                patch(cls, name, lambda o, n=name: _wrap(o, n, cls), inherited=True)
        except Exception:
            pass
    return value


def _wrap(original, name, cls):
    opener = (lambda a, k: _open_create(cls, k)) if name == "create" else (lambda a, k: _open_by_id(name, a, k))
    if inspect.iscoroutinefunction(original):
        async def method(self, *args, **kwargs):
            op = opener(args, kwargs)
            if op is None:
                return await original(self, *args, **kwargs)
            try:
                result = await original(self, *args, **kwargs)
            except BaseException as e:
                op.failed(e)
                raise
            return op.returned(result)
        return method

    def method(self, *args, **kwargs):
        op = opener(args, kwargs)
        if op is None:
            return original(self, *args, **kwargs)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as e:
            op.failed(e)
            raise
        return op.returned(result)
    return method


def _request_body(cls, kwargs):
    """The REST body create() sends: its keyword arguments (or request.body), the SDK's own
    normalization applied, extra_body merged in."""
    request = kwargs.get("request")
    if request is not None:
        body = request.get("body") if isinstance(request, dict) else getattr(request, "body", None)
    else:
        body = {k: v for k, v in kwargs.items() if k not in _NOT_BODY}
        normalize = _sdk_helper(cls, "_normalize_create_body")
        if normalize is not None:
            try:
                body = normalize(body)
            except Exception:
                pass  # the SDK will tell the app why
    body = as_json(body) if body is not None else {}
    extra = kwargs.get("extra_body")
    if isinstance(body, dict) and isinstance(extra, dict):
        body = dict(body, **as_json(extra))
    return body


def _sdk_helper(cls, name):
    for klass in cls.__mro__:
        fn = getattr(sys.modules.get(klass.__module__), name, None)
        if callable(fn):
            return fn
    return None


def _open_create(cls, kwargs):
    try:
        cap = capture()
        body = _request_body(cls, kwargs)
        p = body if isinstance(body, dict) else {}
        agent = isinstance(p.get("agent"), str)
        attrs = create_attributes(p)
        attrs[ATTR_BACKGROUND] = p.get("background") is True
        if isinstance(p.get("previous_interaction_id"), str):
            attrs[ATTR_PREVIOUS] = p["previous_interaction_id"]
        dropped = dropped_signatures(p.get("input"))
        if dropped:
            attrs[ATTR_DROPPED] = to_json(dropped)
        inputs = create_inputs(body, cap)
        root = None
        if p.get("background") is True:
            root = Call.start("Interactions.background", "AGENT" if agent else "CHAIN", inputs, attributes=dict(attrs), open_root=True)
        call = Call.start("Interactions.create", "AGENT" if agent else "CHAT_MODEL", inputs, attributes=attrs, parent=root.frame if root else None)
        if call is None:
            return None
        return _Op(call, cap, _CreateObserver(root, agent, p.get("previous_interaction_id")))
    except Exception:
        return None


def _open_by_id(kind, args, kwargs):
    try:
        cap = capture()
        id_ = args[0] if args else kwargs.get("id")
        run = BackgroundRun.of(id_)
        span_type = ("AGENT" if run is not None and run.agent else "CHAT_MODEL") if kind == "get" else "UNKNOWN"
        inputs = get_inputs(id_, kwargs) if kind == "get" else {"id": id_}
        attrs = {"mlflow.llm.provider": "gemini", "mlflow.message.format": FORMAT, ATTR_ID: str(id_)}
        # A poll of a run this process started joins its trace, with a call site of its own.
        site = (callsite.capture(1) or run.root.frame.site) if run is not None else None
        call = Call.start("Interactions." + kind, span_type, inputs, attributes=attrs, parent=run.root.frame if run else None, site=site)
        if call is None:
            return None
        return _Op(call, cap, _ByIdObserver(kind, run), usage=kind != "delete", error_on_failed=kind == "get")
    except Exception:
        return None


class _CreateObserver:
    def __init__(self, root, agent, previous):
        self.root = root
        self.run = BackgroundRun(root, agent) if root is not None else None
        self.previous = previous if isinstance(previous, str) else None

    def seen(self, call, interaction):
        head = self.root or call
        id_ = interaction.get("id")
        if not isinstance(id_, str):
            return
        conversation = (_conversations.get(self.previous) or self.previous) if self.previous else id_
        hops = interaction.get("continuation_ids")
        for i in [id_] + (hops if isinstance(hops, list) else []):
            if isinstance(i, str) and i not in _conversations:
                _conversations.set(i, conversation)
        head.tag(TAG_CONVERSATION, conversation)
        if self.run is not None:
            self.run.watch(id_)

    def ended(self, interaction, err=None):
        if self.run is not None:
            self.run.settle(interaction, err)


class _ByIdObserver:
    def __init__(self, kind, run):
        self.kind = kind
        self.run = run

    def seen(self, call, interaction):
        if self.kind == "get" and isinstance(interaction.get("agent"), str):
            call.set({"mlflow.spanType": "AGENT"})

    def ended(self, interaction, err=None):
        # A failed poll (a 404, a timeout) says nothing about the run: it stays open.
        if self.run is None or err is not None:
            return
        if self.kind == "delete":
            self.run.deleted()
        else:
            self.run.settle(interaction)


class _Op:
    """One traced SDK call: ends its span on the reply, the error, or when its stream ends."""

    __slots__ = ("call", "cap", "ob", "usage", "error_on_failed")

    def __init__(self, call, cap, ob, usage=True, error_on_failed=True):
        self.call, self.cap, self.ob, self.usage, self.error_on_failed = call, cap, ob, usage, error_on_failed

    def failed(self, err):
        try:
            self.call.fail(err)
            self.ob.ended(None, err)
        except Exception:
            pass

    def returned(self, value):
        try:
            if hasattr(value, "__next__") or hasattr(value, "__anext__"):
                if not watch_stream(value, self.call.first_chunk, self._stream_ended):
                    self._stream_ended(None, "done", None)  # a stream we cannot read: handed on untouched
                return value
            interaction = as_json(value) if value is not None else None
            interaction = interaction if isinstance(interaction, dict) else None
            if interaction is not None:
                self.ob.seen(self.call, interaction)
            self._finish(interaction, value, {})
            self.ob.ended(interaction)
        except Exception:
            pass
        return value

    def _finish(self, interaction, value, extra):
        """Ends the span on an interaction (or a delete's reply): outputs, attributes, usage once, status."""
        attrs = dict(extra)
        attrs.update(interaction_attributes(interaction))
        if interaction is not None:
            remember_signed(interaction)
        if interaction is not None and self.usage and not is_running(interaction.get("status")):
            self.call.usage(_count_once(interaction))
        cap = self.cap

        def outputs():
            return interaction_outputs(interaction, cap) if interaction is not None else as_json(value)

        if interaction is not None and self.error_on_failed and is_failed(interaction.get("status")):
            self.call.fail(failure(interaction), outputs, attrs)
        else:
            self.call.succeed(outputs, extra=attrs)

    def _stream_ended(self, asm, how, err):
        interaction = asm.result() if asm is not None else None
        extra = {"gemini_trace.stream_events": asm.events if asm is not None else 0}
        if asm is None:
            extra["gemini_trace.stream_unparsed"] = True
        if how == "early":
            extra["gemini_trace.stream_closed_early"] = True
        steps = asm.per_step_usage() if asm is not None else None
        if steps:
            extra[ATTR_STEP_USAGE] = to_json(steps)
        if interaction is not None:
            self.ob.seen(self.call, interaction)
        # The transport failed mid-stream, or the stream said so in an `error` event.
        stream_error = err if how == "error" else None
        if stream_error is None and asm is not None and asm.error is not None:
            code = asm.error.get("code")
            stream_error = ReportedError(code if isinstance(code, str) else "InteractionStreamError", str(asm.error.get("message") or "The stream reported an error."))
        if stream_error is not None:
            cap = self.cap
            extra.update(interaction_attributes(interaction))
            self.call.fail(stream_error, lambda: interaction_outputs(interaction, cap) if interaction is not None else None, extra)
            self.ob.ended(interaction, stream_error)
            return
        self._finish(interaction, None, extra)
        self.ob.ended(interaction)


def _count_once(interaction):
    """The usage to record for this interaction, unless a span already carried it."""
    hops = interaction.get("continuation_ids")
    ids = [i for i in [interaction.get("id")] + (hops if isinstance(hops, list) else []) if isinstance(i, str)]
    if any(i in _counted for i in ids):
        return None
    usage = interaction_usage(interaction.get("usage"))
    if usage:
        for i in ids:
            _counted.set(i, True)
    return usage
