"""The `openai` SDK's chat completions (openai 1.x to 3.x), for apps that reach Gemini through an
OpenAI-compatible endpoint: Gemini's own, or an MLflow AI Gateway endpoint. Completions.create and
AsyncCompletions.create are patched on their classes. The Node preload writes the same span
(src/inject/node/openai.ts):

SPAN SHAPE (mlflow.message.format = "openai.chat", gemini_trace.library = "openai")
- `Completions.create` (CHAT_MODEL): inputs the request body as the app passed it (messages
  emptied with content capture off); outputs the ChatCompletion, or for `stream=True` the list of
  chunks the app read (the openai.chat adapter assembles them); mlflow.llm.model = the body's
  model; mlflow.llm.provider = "mlflow-gateway" when the client's base URL is an MLflow AI Gateway
  route (`…/gateway/…`), "gemini" for Google's endpoint, else "openai"; server.address = the base
  URL's host; the generation settings as gen_ai.request.*.
- mlflow.chat.tokenUsage from the reply's usage (a stream reports it only when the app asked with
  stream_options={"include_usage": True}): prompt_tokens → input_tokens, completion_tokens →
  output_tokens, prompt_tokens_details.cached_tokens → cache_read_input_tokens,
  completion_tokens_details.reasoning_tokens → thoughts_tokens (already inside the output).
- The app keeps the SDK's own objects: a stream is the SDK's Stream / AsyncStream, whose iterator
  is tapped in place; the span ends with it (gemini_trace.stream_closed_early when the app stopped)."""

import inspect
from urllib.parse import urlsplit

from . import shapes
from .calls import Call, capture
from .patch import patch

KNOWN_MAJORS = (1, 2, 3)  # openai 3.60.0 tested
_SETTINGS = (
    ("temperature", "gen_ai.request.temperature"), ("top_p", "gen_ai.request.top_p"), ("max_tokens", "gen_ai.request.max_tokens"),
    ("max_completion_tokens", "gen_ai.request.max_tokens"), ("seed", "gen_ai.request.seed"), ("n", "gen_ai.request.choice.count"),
    ("presence_penalty", "gen_ai.request.presence_penalty"), ("frequency_penalty", "gen_ai.request.frequency_penalty"),
    ("reasoning_effort", "gemini.request.reasoning_effort"),
)
_USAGE = ("prompt_tokens", ("completion_tokens",), "total_tokens", None, None, None)


def install(completions, version):
    """On openai.resources.chat.completions's import."""
    try:
        if int(str(version).split(".", 1)[0]) not in KNOWN_MAJORS:
            return
    except Exception:
        return
    for name in ("Completions", "AsyncCompletions"):
        cls = getattr(completions, name, None)
        if cls is not None:
            patch(cls, "create", _create)


def usage(u):
    """mlflow.chat.tokenUsage from an OpenAI usage object (JSON)."""
    out = shapes.mapped_usage(u, _USAGE)
    if out is None:
        return None
    cached = (u.get("prompt_tokens_details") or {}).get("cached_tokens")
    reasoning = (u.get("completion_tokens_details") or {}).get("reasoning_tokens")
    if isinstance(cached, int):
        out["cache_read_input_tokens"] = cached
    if isinstance(reasoning, int) and reasoning > 0:
        out["thoughts_tokens"] = reasoning
    return out


def _where(resource):
    base = str(getattr(getattr(resource, "_client", None), "base_url", "") or "")
    try:
        host = urlsplit(base).netloc or None
    except Exception:
        host = None
    if "/gateway/" in base + "/":
        return "mlflow-gateway", host
    return ("gemini" if host and host.split(":")[0].endswith("googleapis.com") else "openai"), host


def _start(resource, kwargs):
    provider, host = _where(resource)
    attrs = {"gemini_trace.library": "openai", "mlflow.llm.provider": provider, "mlflow.message.format": "openai.chat"}
    if host:
        attrs["server.address"] = host
    if isinstance(kwargs.get("model"), str):
        attrs["mlflow.llm.model"] = kwargs["model"]
    for key, attr in _SETTINGS:
        v = kwargs.get(key)
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            attrs[attr] = v
    body = {k: v for k, v in kwargs.items() if k not in ("extra_headers", "timeout")}
    if not capture():
        body["messages"] = []
    return Call.start("Completions.create", "CHAT_MODEL", shapes.plain(body), attributes=attrs)


def _outputs(value):
    out = shapes.plain(value)
    if capture() or not isinstance(out, dict):
        return out
    choices = out.get("choices")
    if isinstance(choices, list):
        out["choices"] = [{"index": c.get("index"), "finish_reason": c.get("finish_reason")} if isinstance(c, dict) else c for c in choices]
    return out


def _finish(call, result):
    """Ends the span with a ChatCompletion, or taps a stream so the span ends with it."""
    try:
        if hasattr(result, "_iterator") and hasattr(result, "response"):
            aio = hasattr(result, "__anext__")
            result._iterator = (_tap_async if aio else _tap)(call, result._iterator)
            return
        out = _outputs(result) if hasattr(result, "model_dump") else None
        call.succeed(out, usage=usage(out.get("usage")) if isinstance(out, dict) else None)
    except Exception:
        call.succeed(None)


def _create(original):
    # AsyncCompletions.create is a plain function (the SDK's argument check) returning a coroutine.
    def create(self, *args, **kwargs):
        call = _start(self, kwargs)
        if call is None:
            return original(self, *args, **kwargs)
        result = call.run(original, (self,) + args, kwargs)
        if inspect.isawaitable(result):
            return _awaited(call, result)
        _finish(call, result)
        return result

    return create


async def _awaited(call, pending):
    result = await call.arun(lambda: pending, (), {})
    _finish(call, result)
    return result


class _Chunks:
    def __init__(self, call):
        self.call, self.chunks, self.usage, self.done = call, [], None, False

    def add(self, chunk):
        try:
            if not self.chunks:
                self.call.first_chunk()
            out = _outputs(chunk)
            self.chunks.append(out)
            if isinstance(out, dict) and isinstance(out.get("usage"), dict):
                self.usage = out["usage"]
        except Exception:
            pass

    def end(self, closed_early=False, error=None):
        if self.done:
            return
        self.done = True
        extra = {"gemini_trace.stream_chunks": len(self.chunks)}
        if closed_early:
            extra["gemini_trace.stream_closed_early"] = True
        if error is not None:
            self.call.fail(error, self.chunks, extra)
        else:
            self.call.succeed(self.chunks, usage=usage(self.usage), extra=extra)


def _tap(call, source):
    seen = _Chunks(call)
    try:
        for chunk in source:
            seen.add(chunk)
            yield chunk
    except GeneratorExit:
        seen.end(closed_early=True)
        raise
    except BaseException as e:
        seen.end(error=e)
        raise
    seen.end()


async def _tap_async(call, source):
    seen = _Chunks(call)
    try:
        async for chunk in source:
            seen.add(chunk)
            yield chunk
    except GeneratorExit:
        seen.end(closed_early=True)
        raise
    except BaseException as e:
        seen.end(error=e)
        raise
    seen.end()
