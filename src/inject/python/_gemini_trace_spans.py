"""Spans for what mlflow.gemini.autolog() leaves untraced in google-genai — streaming calls and the
SDK's automatic function calling — and the call-site finder shared with the span processor.

`Models.generate_content_stream` (and `AsyncModels`'s) get one LLM span that starts at the call,
ends when the stream ends (or fails, or is abandoned), and records the assembled response, its
token usage from the final chunk, and time to first chunk. Chat.send_message_stream goes through
Models.generate_content_stream, so chat streams are covered too. Each Python function the SDK
calls for the model gets a TOOL span (inputs: the model's arguments; outputs: the return value),
nested under the Gemini call that ran it, with the function's own file and line.
"""

import os
import site
import sys
import sysconfig
import time

TTFC = "gemini_trace.time_to_first_chunk_ms"
_HERE = os.path.dirname(os.path.abspath(__file__))
# Top-level packages whose frames are never the program's (also caught by path when installed).
_SKIP_PACKAGES = frozenset(("mlflow", "google", "opentelemetry", "pydantic", "httpx", "anyio", "tenacity", "sitecustomize"))
_skip_cache = {}


def _library_roots():
    roots = {_HERE}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            roots.add(sysconfig.get_paths()[key])
        except Exception:
            pass
    try:
        roots.update(site.getsitepackages())
        roots.add(site.getusersitepackages())
    except Exception:
        pass
    for base in (sys.prefix, sys.base_prefix, sys.exec_prefix):
        roots.add(os.path.join(base, "lib"))
    return tuple(os.path.normcase(os.path.abspath(r)) + os.sep for r in roots if r)


_ROOTS = _library_roots()


def _is_library(filename, module_name):
    skip = _skip_cache.get(filename)
    if skip is None:
        path = os.path.normcase(os.path.abspath(filename))
        skip = (
            filename.startswith("<")
            or path.startswith(_ROOTS)
            or (os.sep + "site-packages" + os.sep) in path
            or (os.sep + "dist-packages" + os.sep) in path
        )
        _skip_cache[filename] = skip
    top = (module_name or "").split(".", 1)[0]
    return skip or top in _SKIP_PACKAGES or top.startswith("_gemini_trace")


def first_user_frame():
    """(absolute path, 1-based line, function) of the innermost frame of the program's own code:
    outside the stdlib, site-packages, MLflow, google and this shim. None when there is none."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if not _is_library(code.co_filename, frame.f_globals.get("__name__")):
            return os.path.abspath(code.co_filename), frame.f_lineno, code.co_qualname if hasattr(code, "co_qualname") else code.co_name
        frame = frame.f_back
    return None


# ---- the assembled response ------------------------------------------------------------------


def assemble(chunks):
    """One GenerateContentResponse from stream chunks: each candidate's parts concatenated (adjacent
    plain text, and adjacent thoughts, merged), the last non-empty metadata of any chunk kept."""
    from google.genai import types

    if not chunks:
        return None
    by_index = {}
    for chunk in chunks:
        for pos, cand in enumerate(chunk.candidates or []):
            index = cand.index if cand.index is not None else pos
            merged = by_index.setdefault(index, {"parts": [], "role": None, "last": None})
            merged["last"] = cand if merged["last"] is None else _overlay(merged["last"], cand)
            content = cand.content
            if content is None:
                continue
            merged["role"] = content.role or merged["role"]
            for part in content.parts or []:
                _append_part(merged["parts"], part)
    candidates = []
    for index in sorted(by_index):
        merged = by_index[index]
        content = types.Content(role=merged["role"] or "model", parts=merged["parts"])
        candidates.append(merged["last"].model_copy(update={"content": content, "index": index}))
    last = chunks[-1]
    update = {"candidates": candidates or None}
    for field in ("usage_metadata", "prompt_feedback", "model_version", "response_id", "create_time"):
        value = next((getattr(c, field, None) for c in reversed(chunks) if getattr(c, field, None) is not None), None)
        update[field] = value
    update["sdk_http_response"] = None
    return last.model_copy(update=update)


def _overlay(base, newer):
    values = {k: v for k, v in newer.__dict__.items() if v is not None and k != "content"}
    return base.model_copy(update=values)


def _append_part(parts, part):
    only_text = part.text is not None and set(part.model_dump(exclude_none=True)) <= {"text", "thought"}
    if only_text and parts:
        prev = parts[-1]
        prev_only_text = prev.text is not None and set(prev.model_dump(exclude_none=True)) <= {"text", "thought"}
        if prev_only_text and bool(prev.thought) == bool(part.thought):
            parts[-1] = prev.model_copy(update={"text": prev.text + part.text})
            return
    parts.append(part)


def usage_of(response):
    """mlflow.chat.tokenUsage keys, plus thoughts_tokens as the Node preload writes them."""
    meta = getattr(response, "usage_metadata", None)
    if meta is None:
        return None
    usage = {}
    for key, field in (
        ("input_tokens", "prompt_token_count"),
        ("output_tokens", "candidates_token_count"),
        ("total_tokens", "total_token_count"),
        ("cache_read_input_tokens", "cached_content_token_count"),
        ("thoughts_tokens", "thoughts_token_count"),
    ):
        value = getattr(meta, field, None)
        if value is not None:
            usage[key] = value
    return usage or None


# ---- spans -------------------------------------------------------------------------------------


class _StreamSpan:
    """The span of one streaming call, ended exactly once."""

    def __init__(self, instance, original, args, kwargs):
        import mlflow
        from mlflow.entities import SpanType

        self.chunks = []
        self.started = time.monotonic()
        self.first_chunk_ms = None
        self.span = None
        try:
            from mlflow.tracing.utils import construct_full_inputs

            inputs = construct_full_inputs(original, instance, *args, **kwargs)
        except Exception:
            inputs = dict(kwargs)
        attributes = {"mlflow.message.format": "gemini"}
        where = first_user_frame()
        if where is not None:
            attributes.update({"code.filepath": where[0], "code.lineno": where[1], "code.function": where[2]})
        model = inputs.get("model")
        if model:
            attributes.update({"mlflow.llm.model": model, "mlflow.llm.provider": "gemini"})
        self.span = mlflow.start_span_no_context(
            name="%s.%s" % (type(instance).__name__, original.__name__),
            span_type=SpanType.LLM,
            parent_span=mlflow.get_current_active_span(),
            inputs=inputs,
            attributes=attributes,
        )
        try:
            from mlflow.gemini.autolog import _log_genai_tool_definition

            _log_genai_tool_definition(instance, inputs, self.span)
        except Exception:
            pass

    def chunk(self, chunk):
        if self.first_chunk_ms is None:
            self.first_chunk_ms = (time.monotonic() - self.started) * 1000.0
        self.chunks.append(chunk)

    def end(self, error=None):
        span, self.span = self.span, None
        if span is None:
            return
        try:
            if self.first_chunk_ms is not None:
                span.set_attribute(TTFC, round(self.first_chunk_ms, 3))
            response = assemble(self.chunks)
            usage = usage_of(response)
            if usage:
                span.set_attribute("mlflow.chat.tokenUsage", usage)
            if error is not None:
                span.record_exception(error)
            span.end(outputs=response)
        except Exception:
            try:
                span.end()
            except Exception:
                pass


def patch(enabled):
    _patch_streams(enabled)
    try:
        _patch_tools(enabled)
    except Exception:
        pass  # a google-genai without this seam: tool calls stay visible in the model spans


def _patch_tools(enabled):
    import inspect

    from google.genai import _extra_utils

    sync_original = _extra_utils.invoke_function_from_dict_args
    async_original = _extra_utils.invoke_function_from_dict_args_async
    if getattr(sync_original, "_gemini_trace", False):
        return

    def tool_span(args, fn):
        import mlflow
        from mlflow.entities import SpanType

        attributes = {}
        try:
            attributes = {
                "code.filepath": os.path.abspath(inspect.getsourcefile(fn)),
                "code.lineno": fn.__code__.co_firstlineno,
                "code.function": fn.__qualname__,
            }
        except Exception:
            pass
        return mlflow.start_span(name=getattr(fn, "__name__", "tool"), span_type=SpanType.TOOL, attributes=attributes)

    def invoke_function_from_dict_args(args, function_to_invoke):
        if not enabled():
            return sync_original(args, function_to_invoke)
        with tool_span(args, function_to_invoke) as span:
            span.set_inputs(dict(args))
            result = sync_original(args, function_to_invoke)
            span.set_outputs(result)
            return result

    async def invoke_function_from_dict_args_async(args, function_to_invoke):
        if not enabled():
            return await async_original(args, function_to_invoke)
        with tool_span(args, function_to_invoke) as span:
            span.set_inputs(dict(args))
            result = await async_original(args, function_to_invoke)
            span.set_outputs(result)
            return result

    for fn, original in ((invoke_function_from_dict_args, sync_original), (invoke_function_from_dict_args_async, async_original)):
        fn.__wrapped__ = original
        fn._gemini_trace = True
    _extra_utils.invoke_function_from_dict_args = invoke_function_from_dict_args
    _extra_utils.invoke_function_from_dict_args_async = invoke_function_from_dict_args_async


def _patch_streams(enabled):
    from google.genai import models

    sync_original = models.Models.generate_content_stream
    async_original = models.AsyncModels.generate_content_stream
    if getattr(sync_original, "_gemini_trace", False):
        return

    def generate_content_stream(self, *args, **kwargs):
        state = _start(enabled, self, sync_original, args, kwargs)
        if state is None:
            return sync_original(self, *args, **kwargs)
        return _traced_iter(state, sync_original(self, *args, **kwargs))

    async def async_generate_content_stream(self, *args, **kwargs):
        state = _start(enabled, self, async_original, args, kwargs)
        if state is None:
            return await async_original(self, *args, **kwargs)
        try:
            stream = await async_original(self, *args, **kwargs)
        except BaseException as e:
            state.end(e)
            raise
        return _traced_aiter(state, stream)

    for fn, original in ((generate_content_stream, sync_original), (async_generate_content_stream, async_original)):
        fn.__name__, fn.__qualname__, fn.__doc__ = original.__name__, original.__qualname__, original.__doc__
        fn.__wrapped__ = original
        fn._gemini_trace = True
    models.Models.generate_content_stream = generate_content_stream
    models.AsyncModels.generate_content_stream = async_generate_content_stream


def _start(enabled, instance, original, args, kwargs):
    try:
        if not enabled():
            return None
        return _StreamSpan(instance, original, args, kwargs)
    except Exception:
        return None  # tracing trouble never stops the call


def _traced_iter(state, stream):
    try:
        for chunk in stream:
            state.chunk(chunk)
            yield chunk
    except GeneratorExit:
        state.end()  # the program stopped reading: keep what it got
        raise
    except BaseException as e:
        state.end(e)
        raise
    state.end()


async def _traced_aiter(state, stream):
    try:
        async for chunk in stream:
            state.chunk(chunk)
            yield chunk
    except GeneratorExit:
        state.end()
        raise
    except BaseException as e:
        state.end(e)
        raise
    state.end()
