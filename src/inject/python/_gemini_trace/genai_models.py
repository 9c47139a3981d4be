"""google-genai's `client.models` and `client.aio.models`: the spans the Node preload writes for
@google/genai (src/inject/node/client.ts), with the same names.

- `Models.generateContent` / `Models.generateContentStream` (LLM), `Models.embedContent`
  (EMBEDDING), `Models.countTokens` (LLM, no usage). Sync and async methods write the same names.
- When the SDK runs its automatic function calling (AFC) loop inside the call, the call's span is
  the loop (no usage of its own) and each model round trip is a child `Models.generateContentInternal`
  / `Models.generateContentStreamInternal` with its usage; each tool a TOOL span (genai_tools.py).
  A chat's AFC loop gets the same shape (genai_chats.py).
- Every span records where the call went (genai_endpoint.py): gemini.api.base_url, gemini.api.version.
Patched on the classes, so every client, including ones made before the patch, is traced."""

import inspect

from . import shapes, streams
from .calls import Call, capture, current
from .genai_endpoint import endpoint
from .patch import patch

INTERNAL, STREAM_INTERNAL = "Models.generateContentInternal", "Models.generateContentStreamInternal"


def request(kwargs, config_type):
    """The span inputs `{model, contents, config}` and the recorded config, shaped now: the SDK
    appends to a contents list during its AFC loop."""
    cap = capture()
    cfg = shapes.config(kwargs.get("config"), cap, config_type)
    inputs = {"model": kwargs.get("model")}
    if cap:
        for key in ("contents", "content"):
            if key in kwargs:
                inputs[key] = shapes.contents(kwargs[key])
    if cfg is not None:
        inputs["config"] = cfg
    return inputs, cfg


def start(name, span_type, kwargs, config_type, afc=False, parent=None, models=None):
    """The span of a models.* call through `models` (Models or AsyncModels), None when tracing is off."""
    try:
        inputs, cfg = request(kwargs, config_type)
        attrs = endpoint(models, kwargs.get("config"))
        return Call.start(name, span_type, inputs, kwargs.get("model"), cfg, afc=afc, parent=parent, attributes=attrs)
    except Exception:
        return None


def succeed(call, result, usage):
    """Ends a call with the response; `usage`: this span is a model call and carries its tokens."""
    try:
        whole = shapes.response(result, True)
        call.succeed(whole if capture() else shapes.metadata(whole), whole if usage else None)
    except Exception:
        call.succeed(None)


def predict_afc(cfg):
    """Whether the SDK will run its AFC loop for this config (mirrors its should_disable_afc and
    find_afc_incompatible_tool_indexes): callable tools, no function declarations or MCP servers
    beside them, and AFC not turned off. Never raises."""
    try:
        get = cfg.get if isinstance(cfg, dict) else lambda k: getattr(cfg, k, None)
        tools = get("tools") if cfg is not None else None
        if not tools or not any(_runs_itself(t) for t in tools):
            return False
        for t in tools:
            field = (lambda k: t.get(k)) if isinstance(t, dict) else (lambda k: getattr(t, k, None))
            if not _runs_itself(t) and (field("function_declarations") or field("functionDeclarations") or field("mcp_servers")):
                return False
        afc = get("automatic_function_calling")
        if afc is None:
            return True
        afc_get = afc.get if isinstance(afc, dict) else lambda k: getattr(afc, k, None)
        most = afc_get("maximum_remote_calls")
        if most is not None and int(most) <= 0:
            return False
        return not afc_get("disable")
    except Exception:
        return False


def _runs_itself(tool):
    """A Python function the SDK calls, or an MCP client session (client.aio)."""
    if isinstance(tool, (dict, type)) or hasattr(tool, "model_dump"):
        return False
    return callable(tool) or (hasattr(tool, "call_tool") and hasattr(tool, "list_tools"))


def _model_call(name, round_trip, models, kwargs, cfg_type):
    """generate_content(_stream)'s span. Inside a chat that runs the AFC loop itself (google-genai
    3.x: its model calls come with AFC turned off), it is one of that loop's round trips; otherwise
    it is the model call, and the AFC loop when the SDK will run one inside it."""
    afc = predict_afc(kwargs.get("config"))
    parent = current()
    if parent is not None and parent.open_loop is not None and not afc:
        loop = parent.loop or parent.open_loop()
        if loop is not None:
            return start(round_trip, "LLM", kwargs, cfg_type, parent=loop.frame, models=models)
    return start(name, "LLM", kwargs, cfg_type, afc=afc, models=models)


def install(models, config_types):
    gen_cfg, embed_cfg, count_cfg = config_types
    for cls in (models.Models, models.AsyncModels):
        patch(cls, "generate_content", lambda o: _generate(o, gen_cfg))
        patch(cls, "generate_content_stream", lambda o: _generate_stream(o, gen_cfg))
        patch(cls, "embed_content", lambda o: _simple(o, "Models.embedContent", "EMBEDDING", embed_cfg))
        patch(cls, "count_tokens", lambda o: _simple(o, "Models.countTokens", "LLM", count_cfg))
        # The round trips of the AFC loop; older SDKs (without automatic continuation) call these directly.
        inner, inner_stream = "_generate_content_with_continuation", "_generate_content_stream_with_continuation"
        if inner not in cls.__dict__:
            inner, inner_stream = "_generate_content", "_generate_content_stream"
        patch(cls, inner, lambda o: _round_trip(o, gen_cfg))
        patch(cls, inner_stream, lambda o: _round_trip_stream(o, gen_cfg))


def _unary(original, open_call, usage):
    """A wrapper for a request/response method (sync or async, as the original is):
    open_call(models, kwargs) → Call or None; usage(call) → whether the span carries the response's usage."""
    if inspect.iscoroutinefunction(original):
        async def wrapper(self, *args, **kwargs):
            call = open_call(self, kwargs)
            if call is None:
                return await original(self, *args, **kwargs)
            result = await call.arun(original, (self,) + args, kwargs)
            succeed(call, result, usage(call))
            return result
    else:
        def wrapper(self, *args, **kwargs):
            call = open_call(self, kwargs)
            if call is None:
                return original(self, *args, **kwargs)
            result = call.run(original, (self,) + args, kwargs)
            succeed(call, result, usage(call))
            return result
    return wrapper


def _stream(original, open_call, usage):
    """A wrapper for a streaming method: sync ones are generator functions, async ones coroutines
    resolving to an async iterator, and the async round trips async generator functions."""
    carries = lambda call: (lambda: call if usage(call) else None)  # noqa: E731
    if inspect.iscoroutinefunction(original):
        async def wrapper(self, *args, **kwargs):
            call = open_call(self, kwargs)
            if call is None:
                return await original(self, *args, **kwargs)
            source = await call.arun(original, (self,) + args, kwargs)
            return streams.traced_async([call], source, carries(call))
        return wrapper

    def wrapper(self, *args, **kwargs):
        call = open_call(self, kwargs)
        if call is None:
            return original(self, *args, **kwargs)
        source = call.run(original, (self,) + args, kwargs)
        traced = streams.traced_async if hasattr(source, "__anext__") else streams.traced
        return traced([call], source, carries(call))
    return wrapper


def _generate(original, cfg_type):
    def open_call(models, kwargs):
        return _model_call("Models.generateContent", INTERNAL, models, kwargs, cfg_type)

    # With AFC the round trips carry the usage (unless the SDK gave us none to hook, then here).
    return _unary(original, open_call, lambda call: not call.frame.afc or call.inner_calls == 0)


def _generate_stream(original, cfg_type):
    def open_call(models, kwargs):
        return _model_call("Models.generateContentStream", STREAM_INTERNAL, models, kwargs, cfg_type)

    return _stream(original, open_call, lambda call: not call.frame.afc or call.inner_calls == 0)


def _simple(original, name, span_type, cfg_type):
    return _unary(original, lambda models, kwargs: start(name, span_type, kwargs, cfg_type, models=models), lambda call: False)


def _inside_afc(name, models, kwargs, cfg_type):
    """A round trip of the AFC loop the current call runs; None outside one (then the outer span
    is the model call)."""
    parent = current()
    if parent is None or not parent.afc or parent.chat_afc:
        return None
    parent.call.inner_calls += 1
    return start(name, "LLM", kwargs, cfg_type, models=models)


def _round_trip(original, cfg_type):
    return _unary(original, lambda models, kwargs: _inside_afc(INTERNAL, models, kwargs, cfg_type), lambda call: True)


def _round_trip_stream(original, cfg_type):
    return _stream(original, lambda models, kwargs: _inside_afc(STREAM_INTERNAL, models, kwargs, cfg_type), lambda call: True)
