"""LangChain and LangGraph (langchain-core 1.x) through LangChain's callbacks: a handler of ours,
registered with langchain_core.tracers.context.register_configure_hook, joins every callback
manager LangChain configures, inheritable, so every run of every runnable reaches it. The Node
preload writes the same spans for LangChain.js (src/inject/node/frameworks/langchainRuns.ts):

SPAN SHAPE (gemini_trace.library = "langchain")
- One span per run, named by the run (`LangGraph`, a graph node such as `model`,
  `ChatGoogleGenerativeAI`, a tool's name), parented by the run's parent. Runs tagged
  `langsmith:hidden` (LangGraph's plumbing) are skipped, their children attached to the nearest
  run shown.
- mlflow.spanType: a chain run CHAIN, except a top-level run in which a tool ran: AGENT; a chat
  model run CHAT_MODEL, an LLM run LLM, a tool TOOL (gen_ai.tool.name, gen_ai.tool.call.id), a
  retriever RETRIEVER.
- Inputs and outputs: the run's, as plain JSON (langchain_values.py); a chat model's inputs
  `{messages, invocation_params?}`, outputs its reply message.
- A chat model run: mlflow.llm.model, mlflow.llm.provider ("gemini" for Google's integrations).
  ChatGoogleGenerativeAI calls google-genai, traced: that call's span nests under the run's and is
  the model call (Gemini request, response, usage); the run's span says so
  (gemini_trace.model_call_below = true). Otherwise the run's span is the model call:
  gen_ai.input.messages / gen_ai.system_instructions / gen_ai.output.messages and
  mlflow.chat.tokenUsage from the reply's usage_metadata (reasoning as thoughts_tokens, cache
  reads as cache_read_input_tokens). gemini_trace.time_to_first_chunk_ms on streamed runs.
- Errors end the run's span as ERROR. The program's line: where the top-level run began.

Nesting: the handler runs inline (run_inline), in the run's own context, and makes each run's
span current there until the run ends, so a Gemini call made inside a run (the chat model's
request, the app's own call in a tool or a node) nests under it."""

import contextvars

from . import shapes
from .calls import Call, capture, current
from .langchain_values import genai_messages, message_dict, plain

KNOWN_MAJORS = (1,)  # langchain-core 1.x (1.8.3 tested); others get bare model-call spans
LIBRARY = "langchain"
MAX_RUNS = 10000


def known(version):
    try:
        return int(str(version).split(".", 1)[0]) in KNOWN_MAJORS
    except Exception:
        return False


def install(tracers_context, version):
    """On langchain_core.tracers.context's import: our handler joins every callback manager."""
    if not known(version):
        return
    from langchain_core.callbacks.base import BaseCallbackHandler

    handler = _handler_class(BaseCallbackHandler)()
    tracers_context.register_configure_hook(contextvars.ContextVar("gemini_trace_langchain", default=handler), True)


class _Run:
    __slots__ = ("call", "kind", "top", "used_tools", "messages", "token", "first_token")

    def __init__(self, call, kind, top):
        self.call, self.kind, self.top = call, kind, top
        self.used_tools = False
        self.messages = None
        self.token = None
        self.first_token = False


_runs = {}  # run id → _Run, while it runs
_hidden = {}  # run id of a hidden run → the _Run its children attach to (or None)


def _parent(parent_run_id):
    if parent_run_id is None:
        return None
    run = _runs.get(parent_run_id)
    return run if run is not None else _hidden.get(parent_run_id)


def _start(run_id, parent_run_id, kind, name, span_type, inputs, tags, attributes=None):
    parent = _parent(parent_run_id)
    if isinstance(tags, list) and "langsmith:hidden" in tags:
        _hidden[run_id] = parent
        return None
    if len(_runs) >= MAX_RUNS:
        _runs.clear()
        _hidden.clear()
    attrs = {"gemini_trace.library": LIBRARY}
    if attributes:
        attrs.update(attributes)
    frame = parent.call.frame if parent is not None else current()
    call = Call.start(name, span_type, inputs() if capture() else {}, attributes=attrs, parent=frame)
    if call is None:
        return None
    run = _Run(call, kind, parent.top if parent is not None else None)
    if run.top is None:
        run.top = run
    run.token = call.enter()
    _runs[run_id] = run
    return run


def _finish(run_id, outputs=None, extra=None, error=None):
    _hidden.pop(run_id, None)
    run = _runs.pop(run_id, None)
    if run is None:
        return
    Call.leave(run.token)
    if error is not None:
        run.call.fail(error)
        return
    attrs = dict(extra or {})
    if run is run.top and run.kind == "chain" and run.used_tools:
        attrs["mlflow.spanType"] = "AGENT"
    run.call.succeed((lambda: outputs()) if capture() and outputs is not None else None, extra=attrs)


def _name(serialized, kwargs, fallback):
    name = kwargs.get("name")
    if isinstance(name, str) and name:
        return name
    ids = serialized.get("id") if isinstance(serialized, dict) else None
    if isinstance(ids, list) and ids and isinstance(ids[-1], str):
        return ids[-1]
    if isinstance(serialized, dict) and isinstance(serialized.get("name"), str):
        return serialized["name"]
    return fallback


def _model_attributes(serialized, kwargs, metadata):
    params = kwargs.get("invocation_params") if isinstance(kwargs.get("invocation_params"), dict) else {}
    init = serialized.get("kwargs") if isinstance(serialized, dict) and isinstance(serialized.get("kwargs"), dict) else {}
    meta = metadata if isinstance(metadata, dict) else {}
    model = next((m for m in (params.get("model"), params.get("model_name"), init.get("model"), meta.get("ls_model_name")) if isinstance(m, str) and m), None)
    ids = serialized.get("id") if isinstance(serialized, dict) else None
    provider = str(meta.get("ls_provider") or (".".join(str(i) for i in ids) if isinstance(ids, list) else ""))
    low = provider.lower()
    attrs = {"mlflow.llm.provider": "gemini" if ("google" in low or "gemini" in low or "vertex" in low) else provider or "unknown"}
    if model:
        attrs["mlflow.llm.model"] = model[len("models/"):] if model.startswith("models/") else model
    temperature = params.get("temperature")
    if isinstance(temperature, (int, float)) and not isinstance(temperature, bool):
        attrs["gen_ai.request.temperature"] = temperature
    return attrs


def _usage(message):
    """mlflow.chat.tokenUsage from a reply's usage_metadata."""
    u = getattr(message, "usage_metadata", None)
    if not isinstance(u, dict) or not isinstance(u.get("input_tokens"), int):
        return None
    usage = {"input_tokens": u["input_tokens"], "output_tokens": u.get("output_tokens") or 0}
    usage["total_tokens"] = u.get("total_tokens") or usage["input_tokens"] + usage["output_tokens"]
    cached = (u.get("input_token_details") or {}).get("cache_read")
    reasoning = (u.get("output_token_details") or {}).get("reasoning")
    if isinstance(cached, int):
        usage["cache_read_input_tokens"] = cached
    if isinstance(reasoning, int) and reasoning > 0:
        usage["thoughts_tokens"] = reasoning
    return usage


def _end_model(run_id, response):
    run = _runs.get(run_id)
    if run is None:
        return
    gens = getattr(response, "generations", None)
    gen = gens[0][0] if gens and gens[0] else None
    message = getattr(gen, "message", None)
    reply = message_dict(message)
    if reply is None and isinstance(getattr(gen, "text", None), str):
        reply = {"role": "assistant", "content": gen.text}
    extra = {}
    if run.call.frame.model_calls > 0:
        extra["gemini_trace.model_call_below"] = True
    else:
        usage = _usage(message)
        if usage:
            extra["mlflow.chat.tokenUsage"] = shapes.to_json(usage)
        if capture():
            info = getattr(gen, "generation_info", None) or {}
            finish = info.get("finish_reason") if isinstance(info, dict) else None
            inputs, system, output = genai_messages(run.messages or [], reply, finish if isinstance(finish, str) else None)
            extra["gen_ai.input.messages"] = shapes.to_json(inputs)
            extra["gen_ai.output.messages"] = shapes.to_json(output)
            if system:
                extra["gen_ai.system_instructions"] = shapes.to_json(system)
    _finish(run_id, lambda: reply if reply is not None else plain(response), extra)


def _handler_class(base):
    class Handler(base):
        """Every method guarded: a failure of ours is never LangChain's (it would log it)."""

        run_inline = True
        raise_error = False

        def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, tags=None, metadata=None, **kwargs):
            try:
                _start(run_id, parent_run_id, "chain", _name(serialized, kwargs, "chain"), "CHAIN", lambda: plain(inputs), tags)
            except Exception:
                pass

        def on_chain_end(self, outputs, *, run_id, **kwargs):
            try:
                _finish(run_id, lambda: plain(outputs))
            except Exception:
                pass

        def on_chain_error(self, error, *, run_id, **kwargs):
            try:
                _finish(run_id, error=error)
            except Exception:
                pass

        def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, tags=None, metadata=None, **kwargs):
            try:
                batch = messages[0] if messages and isinstance(messages[0], list) else []
                listed = [message_dict(m) or {"role": "user", "content": plain(m)} for m in batch]
                params = kwargs.get("invocation_params")

                def inputs():
                    out = {"messages": listed}
                    if params is not None:
                        out["invocation_params"] = plain(params)
                    return out

                run = _start(run_id, parent_run_id, "chat", _name(serialized, kwargs, "chat_model"), "CHAT_MODEL", inputs, tags, _model_attributes(serialized, kwargs, metadata))
                if run is not None:
                    run.messages = listed
            except Exception:
                pass

        def on_llm_start(self, serialized, prompts, *, run_id, parent_run_id=None, tags=None, metadata=None, **kwargs):
            try:
                run = _start(run_id, parent_run_id, "llm", _name(serialized, kwargs, "llm"), "LLM", lambda: {"prompts": plain(prompts)}, tags, _model_attributes(serialized, kwargs, metadata))
                if run is not None:
                    run.messages = [{"role": "user", "content": str(p)} for p in prompts or []]
            except Exception:
                pass

        def on_llm_new_token(self, token, *, run_id, **kwargs):
            try:
                run = _runs.get(run_id)
                if run is not None and not run.first_token and not run.call.frame.model_calls:
                    run.first_token = True
                    run.call.first_chunk()
            except Exception:
                pass

        def on_llm_end(self, response, *, run_id, **kwargs):
            try:
                _end_model(run_id, response)
            except Exception:
                pass

        def on_llm_error(self, error, *, run_id, **kwargs):
            try:
                _finish(run_id, error=error)
            except Exception:
                pass

        def on_tool_start(self, serialized, input_str, *, run_id, parent_run_id=None, tags=None, metadata=None, inputs=None, **kwargs):
            try:
                name = _name(serialized, kwargs, "tool")
                parent = _parent(parent_run_id)
                if parent is not None:
                    parent.top.used_tools = True
                attrs = {"gen_ai.tool.name": name}
                if isinstance(kwargs.get("tool_call_id"), str):
                    attrs["gen_ai.tool.call.id"] = kwargs["tool_call_id"]
                _start(run_id, parent_run_id, "tool", name, "TOOL", lambda: plain(inputs) if inputs is not None else input_str, tags, attrs)
            except Exception:
                pass

        def on_tool_end(self, output, *, run_id, **kwargs):
            try:
                m = message_dict(output)
                _finish(run_id, lambda: m["content"] if m is not None else plain(output))
            except Exception:
                pass

        def on_tool_error(self, error, *, run_id, **kwargs):
            try:
                _finish(run_id, error=error)
            except Exception:
                pass

        def on_retriever_start(self, serialized, query, *, run_id, parent_run_id=None, tags=None, metadata=None, **kwargs):
            try:
                _start(run_id, parent_run_id, "retriever", _name(serialized, kwargs, "retriever"), "RETRIEVER", lambda: {"query": query}, tags)
            except Exception:
                pass

        def on_retriever_end(self, documents, *, run_id, **kwargs):
            try:
                _finish(run_id, lambda: plain(documents))
            except Exception:
                pass

        def on_retriever_error(self, error, *, run_id, **kwargs):
            try:
                _finish(run_id, error=error)
            except Exception:
                pass

    return Handler
