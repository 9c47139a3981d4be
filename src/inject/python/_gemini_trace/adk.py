"""Google's Agent Development Kit (google-adk 2.x) through its own OpenTelemetry spans (scope
`gcp.vertex.agent`), mirrored by otel_bridge.py. ADK runs google-genai's client.aio.models under its
`generate_content` span, so our google-genai span nests there and is the model call.

SPAN SHAPE (gemini_trace.library = "google-adk"; ADK's span names, the operation's type)
- `invoke_workflow <agent>` CHAIN (the run's root), `invoke_agent <agent>` AGENT: inputs the
  user's message and outputs the agent's last answer, as text, read from the model calls under
  them (with content capture on).
- `generate_content <model>` CHAT_MODEL: the Gemini SDK span under it (`Models.generateContent`
  [LLM]) carries the request, response and usage; this span says so (gemini_trace.model_call_below
  = true) and carries none. Without one (a model ADK reaches by other means), it is the model call
  itself: gen_ai.input.messages / gen_ai.output.messages / gen_ai.system_instructions /
  gen_ai.tool.definitions as ADK wrote them (the otelGenai adapter reads them) and
  mlflow.chat.tokenUsage from gen_ai.usage.*.
- `execute_tool <tool>` TOOL: inputs the arguments, outputs the result; gen_ai.tool.* kept.
- Other operations: CHAIN. ADK's gen_ai.usage.* never stays on a span (MLflow would count it).
- The program's line: where the run began (the root's; Runner.run's caller for its thread).

ADK writes content only when asked: with content capture on and the app silent about
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, ADK is told SPAN_ONLY (in this process, not
through the environment). With content capture off, none of ADK's content is kept."""

import contextvars
import json
import os

from . import callsite, otel_bridge, shapes
from .calls import Call, capture
from .patch import patch

SCOPE = "gcp.vertex.agent"
KNOWN_MAJORS = (2,)  # google-adk 2.x (2.13.0 tested); others get bare model-call spans
LIBRARY = {"gemini_trace.library": "google-adk"}
_TYPES = {"invoke_workflow": "CHAIN", "invoke_agent": "AGENT", "generate_content": "CHAT_MODEL", "execute_tool": "TOOL"}
_CONTENT = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions")
_AGENTS = frozenset(("invoke_agent", "invoke_workflow"))
# Attributes read rather than copied: content (kept only on a model call with no SDK span under
# it), the tool's arguments and result (its inputs and outputs), the operation, model and usage.
_SPECIAL = frozenset(_CONTENT + (
    "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.operation.name", "gen_ai.request.model",
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.reasoning.output_tokens",
))
# Other usage (our SDK span, or mlflow.chat.tokenUsage, counts it) and ADK's older content attributes.
_DROPPED = ("gen_ai.usage.", "gcp.vertex.agent.llm_", "gcp.vertex.agent.tool_")
_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_entry_site = contextvars.ContextVar("gemini_trace_adk_site", default=None)


def known(version):
    try:
        return int(str(version).split(".", 1)[0]) in KNOWN_MAJORS
    except Exception:
        return False


def install(context_module, version):
    """On google.adk.telemetry.context's import: mirror ADK's spans, and have them carry content."""
    if not known(version):
        return
    if not otel_bridge.watch(SCOPE, _Handler()):
        return
    if capture():
        mode = getattr(getattr(context_module, "ContentCapturingMode", None), "SPAN_ONLY", None)
        if mode is not None:
            patch(context_module, "_read_content_capturing_mode", lambda original: lambda: original() if _CONTENT_ENV in os.environ else mode)


def install_runner(runners, version):
    """Runner.run runs the agent on a thread of its own, which starts in a copy of the caller's
    context: the caller's line rides along in it, for the run's root span."""
    if not known(version):
        return
    patch(runners.Runner, "run", _carrying_site)


def _carrying_site(original):
    def run(self, *args, **kwargs):
        site = callsite.capture(2)
        return _with_site(original(self, *args, **kwargs), site)

    return run


def _with_site(events, site):
    # The thread starts (copying the context) on the first step: the site is set around that one.
    token = _entry_site.set(site)
    try:
        first = next(events)
    except StopIteration:
        return
    finally:
        _entry_site.reset(token)
    yield first
    yield from events


def _text(message):
    """The text parts of an OpenTelemetry GenAI message, joined; else the message itself."""
    if message is None:
        return None
    parts = message.get("parts") if isinstance(message, dict) else None
    texts = [p.get("content") for p in parts or [] if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("content"), str)]
    return "".join(texts) if texts else message


def _parsed(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except Exception:
            return value
    return list(value) if isinstance(value, tuple) else value


def _num(attrs, key):
    v = attrs.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _usage(attrs):
    """mlflow.chat.tokenUsage from gen_ai.usage.* (output tokens include the reasoning tokens)."""
    inp, out = _num(attrs, "gen_ai.usage.input_tokens"), _num(attrs, "gen_ai.usage.output_tokens")
    if inp is None and out is None:
        return None
    usage = {"input_tokens": inp or 0, "output_tokens": out or 0, "total_tokens": (inp or 0) + (out or 0)}
    for key, field in (("gen_ai.usage.cache_read.input_tokens", "cache_read_input_tokens"), ("gen_ai.usage.reasoning.output_tokens", "thoughts_tokens")):
        if _num(attrs, key) is not None:
            usage[field] = attrs[key]
    return usage


class _Handler:
    """Opens and ends the Call mirroring one ADK span. Per open span it keeps the Call it runs under
    and, for an agent or workflow, [the user's message, the last answer] of the model calls under it
    (the answer as ADK's JSON until the agent ends: most are never read)."""

    def __init__(self):
        self.open = {}  # Call → [the mirror's parent Call or None, [message, answer] or None]

    def start(self, span, parent):
        name = span.name
        op = name.split(" ", 1)[0]
        ctx = span.context
        if parent is None:
            site = callsite.capture(2) or _entry_site.get()
            call = Call.start(name, _TYPES.get(op, "CHAIN"), None, attributes=LIBRARY, site=site, ids=(ctx.trace_id, ctx.span_id))
        else:
            call = Call.start(name, _TYPES.get(op, "CHAIN"), None, attributes=LIBRARY, parent=parent, ids=(None, ctx.span_id))
        if call is not None:
            self.open[call] = [parent.call if parent is not None else None, [None, None] if op in _AGENTS else None]
        return call

    def end(self, call, span):
        parent, talk = self.open.pop(call, (None, None))
        try:
            cap = capture()
            extra = {}
            special = {}
            for k, v in otel_bridge.attributes(span):
                if k in _SPECIAL:
                    special[k] = v
                elif not k.startswith(_DROPPED):
                    extra[k] = list(v) if isinstance(v, tuple) else v
            op = special.get("gen_ai.operation.name") or span.name.split(" ", 1)[0]
            extra["gen_ai.operation.name"] = op
            extra["mlflow.spanType"] = _TYPES.get(op, "CHAIN")
            usage = inputs = outputs = None
            if op == "generate_content":
                model = special.get("gen_ai.request.model")
                messages, answer = special.get("gen_ai.input.messages"), special.get("gen_ai.output.messages")
                self._tell(parent, messages, answer)
                if isinstance(model, str) and model:
                    extra["gen_ai.request.model"] = extra["mlflow.llm.model"] = model
                    provider = str(extra.get("gen_ai.provider.name") or extra.get("gen_ai.system") or "")
                    extra["mlflow.llm.provider"] = "gemini" if provider.startswith("gcp.") else provider or "unknown"
                if call.frame.model_calls > 0:
                    extra["gemini_trace.model_call_below"] = True
                    inputs = {"model": model}
                else:
                    usage = _usage(special)
                    inputs, outputs = _parsed(messages), _parsed(answer)
                    if cap:
                        extra.update((k, special[k]) for k in _CONTENT if k in special)
            elif op == "execute_tool":
                inputs = _parsed(special.get("gen_ai.tool.call.arguments"))
                outputs = _parsed(special.get("gen_ai.tool.call.result"))
            elif talk is not None:
                inputs, outputs = talk[0], _last(talk[1])
                self._tell(parent, None, None, (inputs, outputs))
                inputs, outputs = _text(inputs), _text(outputs)
            if not cap:
                inputs = outputs = None
            extra["mlflow.spanInputs"] = call.bounded_json(inputs if inputs is not None else {})
            error = otel_bridge.error(span)
            if error is not None:
                call.fail(error, outputs, extra)
            else:
                call.succeed(outputs, usage=usage, extra=extra)
        except Exception:
            call.succeed(None)

    def _tell(self, parent, messages, answer, parsed=None):
        """Hands a model call's conversation (ADK's JSON), or a sub-agent's (message, answer), to
        the agents and workflow above it."""
        while parent is not None:
            up, talk = self.open.get(parent, (None, None))
            if talk is not None:
                if talk[0] is None:
                    talk[0] = parsed[0] if parsed is not None else _last_user(messages)
                got = parsed[1] if parsed is not None else answer
                if got is not None:
                    talk[1] = got
            parent = up


def _last_user(messages):
    for m in reversed(_parsed(messages) or ()):
        if isinstance(m, dict) and m.get("role") == "user":
            return m
    return None


def _last(answer):
    """The last message of ADK's output messages (JSON), or a message already read."""
    if isinstance(answer, str):
        answer = _parsed(answer)
        return answer[-1] if isinstance(answer, list) and answer else None
    return answer
