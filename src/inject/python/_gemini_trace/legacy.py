"""The legacy SDK, google-generativeai (`import google.generativeai as genai`), which MLflow's
Gemini docs still install: `GenerativeModel.generateContent` / `GenerativeModel.generateContentStream`
(generate_content, plain and stream=True), `GenerativeModel.countTokens`, `ChatSession.sendMessage`
(start_chat().send_message; CHAT_MODEL, its model calls and the tools its automatic function
calling runs are children) and `embedContent` (genai.embed_content), with their async twins.

Spans record what google-genai's do, under REST field names: inputs `{model, contents, config}`
with the request's generationConfig fields, safetySettings, tools, toolConfig and
systemInstruction merged into `config` (as GenerateContentConfig holds them), outputs the
response proto as REST JSON, usage from its usageMetadata. A stream's span ends when the app has
read it to the end (the SDK reads the first chunk inside the call)."""

import inspect

from . import shapes
from .calls import Call, capture
from .patch import patch


def _json(message):
    """A proto-plus message as REST JSON (camelCase, enums by name, no defaults)."""
    to_dict = type(message).to_dict
    try:
        return to_dict(message, preserving_proto_field_name=False, use_integers_for_enums=False, including_default_value_fields=False)
    except TypeError:  # newer proto-plus renamed the last argument
        return to_dict(message, preserving_proto_field_name=False, use_integers_for_enums=False, always_print_fields_with_no_presence=False)


def install():
    from google.generativeai import embedding, generative_models
    from google.generativeai.types import content_types

    model_cls = generative_models.GenerativeModel
    patch(model_cls, "generate_content", _generate)
    patch(model_cls, "generate_content_async", _generate)
    patch(model_cls, "count_tokens", lambda o: _simple(o, "GenerativeModel.countTokens", "LLM"))
    patch(model_cls, "count_tokens_async", lambda o: _simple(o, "GenerativeModel.countTokens", "LLM"))
    patch(generative_models.ChatSession, "send_message", _chat)
    patch(generative_models.ChatSession, "send_message_async", _chat)
    patch(content_types.FunctionLibrary, "__call__", _tool)
    import google.generativeai as genai

    for module in (embedding, genai):  # genai re-exports them: both names are the app's
        patch(module, "embed_content", lambda o: _embed(o))
        patch(module, "embed_content_async", lambda o: _embed(o))


def _model_name(model):
    name = getattr(model, "model_name", None) or getattr(model, "_model_name", "")
    return name[len("models/"):] if isinstance(name, str) and name.startswith("models/") else name


def _request(model, contents, kwargs):
    """{model, contents, config} from the request the SDK builds (pure: it only assembles protos)."""
    inputs = {"model": _model_name(model)}
    if capture():
        inputs["contents"] = shapes.contents(contents)
    try:
        req = _json(model._prepare_request(
            contents=contents, generation_config=kwargs.get("generation_config"), safety_settings=kwargs.get("safety_settings"),
            tools=kwargs.get("tools"), tool_config=kwargs.get("tool_config"),
        ))
        cfg = dict(req.get("generationConfig") or {})
        for key in ("safetySettings", "tools", "toolConfig", "systemInstruction", "cachedContent"):
            if req.get(key) and (capture() or key not in ("systemInstruction", "cachedContent")):
                cfg[key] = req[key]
        if cfg:
            inputs["config"] = cfg
        return inputs, cfg
    except Exception:
        return inputs, None


def _finish(call, response, usage):
    try:
        whole = _json(response._result) if hasattr(response, "_result") else shapes.plain(response)
        call.succeed(whole if capture() else shapes.metadata(whole), whole if usage else None)
    except Exception:
        call.succeed(None)


def _run(original, calls, finish):
    """Calls original (sync or async) in the innermost call's context; finish(result) ends them."""
    if inspect.iscoroutinefunction(original):
        async def wrapper(self, *args, **kwargs):
            opened = calls(self, args, kwargs)
            if not opened:
                return await original(self, *args, **kwargs)
            return finish(opened, await opened[0].arun(original, (self,) + args, kwargs, also=opened[1:]), kwargs)
        return wrapper

    def wrapper(self, *args, **kwargs):
        opened = calls(self, args, kwargs)
        if not opened:
            return original(self, *args, **kwargs)
        return finish(opened, opened[0].run(original, (self,) + args, kwargs, also=opened[1:]), kwargs)
    return wrapper


def _generate(original):
    def calls(model, args, kwargs):
        contents = args[0] if args else kwargs.get("contents")
        inputs, cfg = _request(model, contents, kwargs)
        name = "GenerativeModel.generateContentStream" if kwargs.get("stream") else "GenerativeModel.generateContent"
        call = Call.start(name, "LLM", inputs, inputs["model"], cfg)
        return [call] if call is not None else []

    def finish(opened, response, kwargs):
        if kwargs.get("stream"):
            opened[0].first_chunk()  # the SDK read the first chunk before returning
            _follow(response, opened, usage=True)
        else:
            _finish(opened[0], response, True)
        return response
    return _run(original, calls, finish)


def _chat(original):
    def calls(session, args, kwargs):
        content = args[0] if args else kwargs.get("content")
        model = getattr(session, "model", None)
        inputs = {"message": shapes.contents(content)} if capture() else {}
        name = "ChatSession.sendMessageStream" if kwargs.get("stream") else "ChatSession.sendMessage"
        call = Call.start(name, "CHAT_MODEL", inputs, _model_name(model))
        return [call] if call is not None else []

    def finish(opened, response, kwargs):
        if kwargs.get("stream"):
            opened[0].first_chunk()
            _follow(response, opened, usage=False)
        else:
            _finish(opened[0], response, False)
        return response
    return _run(original, calls, finish)


def _follow(response, opened, usage):
    """Ends the calls when the app has read the stream to its end: the response's own iterator
    is wrapped, so its `for chunk in response` and resolve() work as before."""
    source = getattr(response, "_iterator", None)
    if source is None:
        _finish(opened[0], response, usage)
        return
    is_async = hasattr(source, "__anext__")

    def done(err=None):
        for c in opened:
            if err is None:
                _finish(c, response, usage)
            else:
                c.fail(err)

    if is_async:
        async def chunks():
            try:
                async for chunk in source:
                    yield chunk
            except BaseException as e:
                done(e)
                raise
            done()
    else:
        def chunks():
            try:
                for chunk in source:
                    yield chunk
            except BaseException as e:
                done(e)
                raise
            done()
    response._iterator = chunks()


def _simple(original, name, span_type):
    def calls(model, args, kwargs):
        contents = args[0] if args else kwargs.get("contents")
        call = Call.start(name, span_type, {"model": _model_name(model), "contents": shapes.contents(contents)} if capture() else {"model": _model_name(model)}, _model_name(model))
        return [call] if call is not None else []

    def finish(opened, response, kwargs):
        _finish(opened[0], response, False)
        return response
    return _run(original, calls, finish)


def _embed(original):
    """genai.embed_content(model, content, …) is a module function: a dict comes back."""
    def calls(_none, args, kwargs):
        model = args[0] if args else kwargs.get("model")
        content = args[1] if len(args) > 1 else kwargs.get("content")
        name = model[len("models/"):] if isinstance(model, str) and model.startswith("models/") else model
        inputs = {"model": name}
        if capture():
            inputs["content"] = shapes.contents(content)
        call = Call.start("embedContent", "EMBEDDING", inputs, name if isinstance(name, str) else None)
        return [call] if call is not None else []

    def finish(opened, result, kwargs):
        opened[0].succeed(lambda: _embed_outputs(result))
        return result
    if inspect.iscoroutinefunction(original):
        async def as_method(_none, *args, **kwargs):
            return await original(*args, **kwargs)
    else:
        def as_method(_none, *args, **kwargs):
            return original(*args, **kwargs)
    inner = _run(as_method, calls, finish)
    if inspect.iscoroutinefunction(original):
        async def embed_async(*args, **kwargs):
            return await inner(None, *args, **kwargs)
        return embed_async

    def embed(*args, **kwargs):
        return inner(None, *args, **kwargs)
    return embed


def _embed_outputs(result):
    """The SDK's {"embedding": [...]} (or a list of them, for many contents) as REST returns it."""
    values = result.get("embedding") if isinstance(result, dict) else None
    if not isinstance(values, list):
        return shapes.plain(result)
    many = bool(values) and isinstance(values[0], list)
    if not capture():
        return {"embeddings": [{"values": len(v)} for v in values]} if many else {"embedding": {"values": len(values)}}
    return {"embeddings": [{"values": v} for v in values]} if many else {"embedding": {"values": values}}


def _tool(original):
    """FunctionLibrary.__call__(fc): the chat's automatic function calling runs one tool."""
    def __call__(self, fc, *args, **kwargs):
        call = None
        try:
            name = fc.name
            model_args = type(fc.args).to_dict(fc.args) if hasattr(type(fc.args), "to_dict") else dict(fc.args)
            call = Call.start(name, "TOOL", model_args if capture() else {}, attributes={"gen_ai.tool.name": name})
        except Exception:
            pass
        if call is None:
            return original(self, fc, *args, **kwargs)
        part = call.run(original, (self, fc) + args, kwargs)

        def outputs():
            resp = _json(part).get("functionResponse", {}).get("response") if part is not None else None
            return resp.get("result", resp) if isinstance(resp, dict) and capture() else ({} if not capture() else resp)
        call.succeed(outputs)
        return part
    return __call__
