"""What an Interactions span records (the Node preload's interactionShape.ts; the shape is in
src/inject/node/interactions.ts's header): the request body and the Interaction resource as REST
JSON (snake_case field names, as both SDKs send them), usage in MLflow's keys, request settings as
filterable attributes. Functions over JSON-able data; the app's objects are never changed."""

from . import shapes
from .media import without_media

MEDIA_KEEP_BELOW = 256 * 1024  # images and documents stay (the panel shows them) unless one would crowd out the rest

RUNNING = frozenset(("in_progress", "queued", "requires_continuation"))  # a background run's trace stays open through them
FAILED = frozenset(("failed", "cancelled"))  # an interaction that ends so is an error

FORMAT = "gemini.interactions"
ATTR_ID, ATTR_PREVIOUS, ATTR_STATUS = "gemini.interaction.id", "gemini.interaction.previous_id", "gemini.interaction.status"
ATTR_AGENT, ATTR_BACKGROUND, ATTR_STEP_USAGE = "gemini.agent", "gemini.interaction.background", "gemini.interaction.step_usage"
ATTR_DROPPED = "gemini.interaction.dropped_signatures"
TAG_CONVERSATION, TAG_UNFINISHED = "gemini_trace.conversation", "gemini_trace.unfinished"

_STEP_META = ("type", "id", "call_id", "name", "server_name", "search_type", "is_error")
_INTERACTION_META = (
    "id", "object", "status", "model", "agent", "created", "updated", "previous_interaction_id", "usage",
    "continuation_ids", "service_tier", "environment_id",
)
_USAGE = ("total_input_tokens", ("total_output_tokens",), "total_tokens", "total_cached_tokens", "total_thought_tokens", "total_tool_use_tokens")
_CONFIG_ATTRS = (
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
    ("max_output_tokens", "gen_ai.request.max_tokens"),
    ("seed", "gen_ai.request.seed"),
    ("thinking_level", "gemini.request.thinking_level"),
    ("thinking_summaries", "gemini.request.thinking_summaries"),
)


def is_running(status):
    return isinstance(status, str) and status in RUNNING


def is_failed(status):
    return isinstance(status, str) and status in FAILED


def as_json(value, _depth=0):
    """An SDK object or the program's data as JSON-able data, REST field names (the models'
    serialization aliases), without nulls, as `model_dump(mode="json", by_alias=True,
    exclude_none=True)` gives it (test/component/inject-python-interactions.test.ts holds the two
    equal, but for the nulls that serializer keeps on nullable fields). Walked by hand: the generated Interactions models serialize through a Python-level
    hook per model that costs about a millisecond a reply (bench/python-tracer.mjs), this about
    forty microseconds."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if _depth > 64:
        return "[too deep]"
    if isinstance(value, dict):
        return {str(k): as_json(v, _depth + 1) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [as_json(v, _depth + 1) for v in value]
    cls = type(value)
    if getattr(cls, "model_fields", None) is not None and hasattr(value, "__dict__"):
        names = _ALIASES.get(cls)
        if names is None:
            names = _ALIASES[cls] = {n: f.serialization_alias or f.alias or n for n, f in cls.model_fields.items()}
        out = {}
        for k, v in value.__dict__.items():
            if v is not None and type(v).__name__ != "Unset":
                out[names.get(k, k)] = as_json(v, _depth + 1)
        extra = getattr(value, "__pydantic_extra__", None)
        if extra:
            out.update((str(k), as_json(v, _depth + 1)) for k, v in extra.items() if v is not None)
        return out
    return shapes.plain(value, _depth)


_ALIASES = {}  # model class → {field name: REST name}


def create_inputs(body, capture):
    """The request body (REST field names) with MCP server headers masked (they carry credentials)
    and media summarized. Without content capture: no input, no instruction."""
    if not isinstance(body, dict):
        return body if capture else None
    out = {}
    for k, v in body.items():
        if not capture and k in ("input", "system_instruction"):
            continue
        out[k] = [_mask_tool(t) for t in v] if k == "tools" and isinstance(v, list) else v
    return without_media(out, MEDIA_KEEP_BELOW)


def _mask_tool(tool):
    if not isinstance(tool, dict) or not isinstance(tool.get("headers"), dict):
        return tool
    return dict(tool, headers={h: "[redacted]" for h in tool["headers"]})


def get_inputs(id_, params):
    """Inputs of get(id, …): `{id, stream?, last_event_id?, include_input?}`, as the app passed them."""
    out = {"id": id_}
    for k in ("stream", "last_event_id", "include_input"):
        if params.get(k) is not None:
            out[k] = params[k]
    return out


def interaction_outputs(interaction, capture):
    """The Interaction as the API returned it, media summarized. Without content capture: its
    metadata and each step's type and ids only."""
    if not isinstance(interaction, dict):
        return interaction
    if capture:
        return without_media(interaction, MEDIA_KEEP_BELOW)
    out = {k: interaction[k] for k in _INTERACTION_META if interaction.get(k) is not None}
    if isinstance(interaction.get("steps"), list):
        out["steps"] = [{k: s[k] for k in _STEP_META if s.get(k) is not None} if isinstance(s, dict) else {} for s in interaction["steps"]]
    if isinstance(interaction.get("errors"), list):
        out["errors"] = interaction["errors"]
    return out


def interaction_usage(usage):
    return shapes.mapped_usage(usage, _USAGE)


def create_attributes(body):
    """Span attributes of a create request: model or agent, settings, MLflow's chat tools."""
    attrs = {"mlflow.llm.provider": "gemini", "mlflow.message.format": FORMAT}
    if not isinstance(body, dict):
        return attrs
    if isinstance(body.get("model"), str):
        attrs["mlflow.llm.model"] = body["model"]
    if isinstance(body.get("agent"), str):
        attrs[ATTR_AGENT] = body["agent"]
    gc = body.get("generation_config")
    if isinstance(gc, dict):
        for key, attr in _CONFIG_ATTRS:
            if isinstance(gc.get(key), (int, float, str)):
                attrs[attr] = gc[key]
        if isinstance(gc.get("stop_sequences"), list):
            attrs["gen_ai.request.stop_sequences"] = [s for s in gc["stop_sequences"] if isinstance(s, str)]
    tools = body.get("tools")
    if isinstance(tools, list):
        fns = [t for t in tools if isinstance(t, dict) and t.get("type") == "function" and isinstance(t.get("name"), str)]
        if fns:
            attrs["mlflow.chat.tools"] = shapes.to_json([
                {"type": "function", "function": _defined({"name": t["name"], "description": t.get("description"), "parameters": t.get("parameters")})} for t in fns
            ])
        kinds = []
        for t in tools:
            kind = t.get("type") if isinstance(t, dict) else None
            if isinstance(kind, str) and kind and kind not in kinds:
                kinds.append(kind)
        if kinds:
            attrs["gemini.request.tools"] = kinds
    return attrs


def _defined(d):
    """As JSON.stringify writes an object: keys whose value is undefined left out."""
    return {k: v for k, v in d.items() if v is not None}


def interaction_attributes(interaction):
    """What a span says about the interaction it saw."""
    attrs = {}
    if not isinstance(interaction, dict):
        return attrs
    for key, attr in (("id", ATTR_ID), ("status", ATTR_STATUS), ("previous_interaction_id", ATTR_PREVIOUS), ("agent", ATTR_AGENT)):
        if isinstance(interaction.get(key), str):
            attrs[attr] = interaction[key]
    return attrs


def failure(interaction):
    """Why an interaction that ended failed or cancelled is an error, in the API's words if any."""
    status = str(interaction.get("status"))
    said = [e.get("message") for e in interaction.get("errors") or [] if isinstance(e, dict)]
    for s in interaction.get("steps") or []:
        if isinstance(s, dict) and isinstance(s.get("error"), dict):
            said.append(s["error"].get("message"))
            break
    said = [m for m in said if isinstance(m, str) and m]
    message = "Interaction %s: %s" % (status, "; ".join(said)) if said else "Interaction %s." % status
    return shapes.ReportedError("InteractionCancelled" if status == "cancelled" else "InteractionFailed", message)
