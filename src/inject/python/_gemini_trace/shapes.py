"""What a Gemini span records, in the JSON the Node preload records (src/inject/node/spans.ts), so
the views and the tests read one shape whatever the app's language: inputs `{model, contents,
config}` with REST field names (camelCase, no nulls), outputs the response as the REST API returns
it, usage in MLflow's `mlflow.chat.tokenUsage` keys. Pydantic models of google-genai are dumped
with their aliases; dicts an app passed are validated into the SDK's own type first, so
`{"system_instruction": …}` is recorded as `systemInstruction`. Nothing here may raise."""

import base64
import enum
import json

MAX_JSON = 1000000
"""Largest JSON kept for one attribute; beyond it a preview stands in, so a huge embedding batch
or inline image never bloats an export."""

# Transport details (headers may hold credentials) and SDK-only switches never enter a trace.
_DROPPED_CONFIG = frozenset(("httpOptions", "shouldReturnHttpResponse", "abortSignal"))
_PRIVATE_CONFIG = ("systemInstruction", "cachedContent")
_RESPONSE_EXCLUDE = {"sdk_http_response", "parsed"}
_META = ("modelVersion", "responseId", "usageMetadata", "totalTokens", "cachedContentTokenCount", "metadata")


def to_json(value, media=0):
    """JSON text for a span attribute, compact like JSON.stringify; never raises. `media`: base64
    characters of media kept on purpose (media_budget.py), allowed past the usual cap."""
    try:
        out = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except Exception:
        try:
            out = json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except Exception as e:
            out = json.dumps({"unserializable": str(e)})
    if len(out) > MAX_JSON + media:
        return json.dumps({"truncated": True, "length": len(out), "preview": out[:10000]}, ensure_ascii=False, separators=(",", ":"))
    return out


def plain(value, _depth=0):
    """JSON-able data: pydantic models by alias without nulls, bytes as base64 (as REST sends
    them), enums by value, floats that JSON cannot hold as null, anything else as its type."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if _depth > 64:
        return "[too deep]"
    if isinstance(value, dict):
        return {str(k): plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, _depth + 1) for v in value]
    if isinstance(value, enum.Enum):
        return plain(value.value, _depth + 1)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, type):  # a response schema given as a class: the schema it stands for
        try:
            return plain(value.model_json_schema(by_alias=True), _depth + 1)
        except Exception:
            return {"type": value.__qualname__}
    if hasattr(value, "model_dump"):
        return model(value)
    if callable(value):
        return {"callableTool": getattr(value, "__name__", type(value).__name__)}
    to_dict = getattr(type(value), "to_dict", None)  # proto-plus messages (google-generativeai)
    if to_dict is not None:
        try:
            return plain(to_dict(value, preserving_proto_field_name=False, use_integers_for_enums=False), _depth + 1)
        except Exception:
            pass
    return {"type": "%s.%s" % (type(value).__module__, type(value).__qualname__)}


def model(m, exclude=None):
    """A pydantic model with REST field names; a field that will not dump (a callable tool, a
    schema given as a class) is recorded field by field instead of losing the whole model."""
    try:
        return m.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=exclude)
    except Exception:
        pass
    out = {}
    try:
        fields = type(m).model_fields
    except Exception:
        return {"type": type(m).__name__}
    for name, info in fields.items():
        if exclude and name in exclude:
            continue
        v = getattr(m, name, None)
        if v is not None:
            out[info.alias or name] = plain(v, 1)
    return out


def as_sdk(value, sdk_type):
    """An app's dict through the SDK's own type, so it is recorded under REST names; as given when
    it does not validate (the SDK will say why to the app)."""
    if isinstance(value, dict) and sdk_type is not None:
        try:
            return sdk_type.model_validate(value)
        except Exception:
            return value
    return value


def config(cfg, capture, sdk_type=None):
    """A request config as recorded: transport details dropped, callable tools named."""
    if cfg is None:
        return None
    cfg = as_sdk(cfg, sdk_type)
    if hasattr(cfg, "model_dump"):
        tools = getattr(cfg, "tools", None)
        out = model(cfg, exclude={"http_options", "should_return_http_response", "tools"})
        if tools is not None:
            out["tools"] = [plain(t) for t in tools]
    else:
        out = plain(cfg)
    if not isinstance(out, dict):
        return out
    for k in _DROPPED_CONFIG:
        out.pop(k, None)
    if not capture:
        for k in _PRIVATE_CONFIG:
            out.pop(k, None)
    return out


def contents(value):
    """Contents as the app passed them (a string stays a string), parts and dicts under REST names."""
    if isinstance(value, (list, tuple)):
        return [_content(v) for v in value]
    return _content(value)


def _content(v):
    if isinstance(v, dict):
        try:
            from google.genai import types

            v = as_sdk(v, types.Content if ("parts" in v or "role" in v) else types.Part)
        except Exception:
            pass
    return plain(v)


def response(resp, capture):
    """A response as JSON, without the HTTP details the SDK attaches; metadata only without capture."""
    out = model(resp, exclude=_RESPONSE_EXCLUDE) if hasattr(resp, "model_dump") else plain(resp)
    return out if capture else metadata(out)


def metadata(out):
    if not isinstance(out, dict):
        return out
    meta = {k: out[k] for k in _META if k in out}
    if isinstance(out.get("candidates"), list):
        meta["candidates"] = [
            {k: c[k] for k in ("index", "finishReason") if k in c} if isinstance(c, dict) else {} for c in out["candidates"]
        ]
    if isinstance(out.get("embeddings"), list):
        meta["embeddings"] = [{"values": len(e.get("values") or [])} if isinstance(e, dict) else {} for e in out["embeddings"]]
    return meta


_GENERATE_USAGE = ("promptTokenCount", ("candidatesTokenCount",), "totalTokenCount", "cachedContentTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount")


def _num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v else None


def mapped_usage(u, fields):
    """`mlflow.chat.tokenUsage` from a usage report, `fields` naming where this wire format keeps
    (input, (output, …the first present wins), total, cached, thoughts, tool-use) counts; thinking
    and tool-use prompt tokens kept as the Node preload keeps them (spans.ts mappedUsage: MLflow
    stores them and leaves them out of sums)."""
    if not isinstance(u, dict):
        return None
    input_key, output_keys, total_key, cached, thoughts, tool_use = fields
    inp, total = _num(u.get(input_key)), _num(u.get(total_key))
    outp = next((_num(u.get(k)) for k in output_keys if _num(u.get(k)) is not None), None)
    if inp is None and outp is None and total is None:
        return None
    usage = {"input_tokens": inp or 0, "output_tokens": outp or 0, "total_tokens": total if total is not None else (inp or 0) + (outp or 0)}
    for field, key in ((cached, "cache_read_input_tokens"), (thoughts, "thoughts_tokens"), (tool_use, "tool_use_prompt_tokens")):
        if _num(u.get(field)) is not None:
            usage[key] = u[field]
    return usage


def token_usage(resp_json):
    """`mlflow.chat.tokenUsage` from a generateContent response's usageMetadata."""
    return mapped_usage(resp_json.get("usageMetadata") if isinstance(resp_json, dict) else None, _GENERATE_USAGE)


# OTel GenAI request attributes for the generation config, so a span is filterable by them.
_CONFIG_ATTRS = (
    ("temperature", "gen_ai.request.temperature"),
    ("topP", "gen_ai.request.top_p"),
    ("topK", "gen_ai.request.top_k"),
    ("maxOutputTokens", "gen_ai.request.max_tokens"),
    ("candidateCount", "gen_ai.request.choice.count"),
    ("presencePenalty", "gen_ai.request.presence_penalty"),
    ("frequencyPenalty", "gen_ai.request.frequency_penalty"),
    ("seed", "gen_ai.request.seed"),
    ("responseMimeType", "gemini.request.response_mime_type"),
    ("outputDimensionality", "gemini.request.output_dimensionality"),
    ("taskType", "gemini.request.task_type"),
)


def config_attributes(cfg_json):
    attrs = {}
    if not isinstance(cfg_json, dict):
        return attrs
    for key, attr in _CONFIG_ATTRS:
        v = cfg_json.get(key)
        if isinstance(v, (str, int, float)):
            attrs[attr] = v
    stops = cfg_json.get("stopSequences")
    if isinstance(stops, list):
        attrs["gen_ai.request.stop_sequences"] = [s for s in stops if isinstance(s, str)]
    thinking = cfg_json.get("thinkingConfig")
    if isinstance(thinking, dict):
        for key, attr, kind in (("thinkingBudget", "gemini.request.thinking_budget", int), ("thinkingLevel", "gemini.request.thinking_level", str), ("includeThoughts", "gemini.request.include_thoughts", bool)):
            if isinstance(thinking.get(key), kind):
                attrs[attr] = thinking[key]
    return attrs


def chat_tools(cfg_json):
    """MLflow's chat-tool schema for the function declarations a request offers the model."""
    if not isinstance(cfg_json, dict) or not isinstance(cfg_json.get("tools"), list):
        return None
    tools = []
    for t in cfg_json["tools"]:
        for d in (t.get("functionDeclarations") or []) if isinstance(t, dict) else []:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                params = d.get("parameters", d.get("parametersJsonSchema"))
                tools.append({"type": "function", "function": {"name": d["name"], "description": d.get("description"), "parameters": params}})
    return to_json(tools) if tools else None


class ReportedError(Exception):
    """An error the API reported in a reply or a stream event rather than raised (an interaction
    that ended failed, an `error` event): recorded under the API's own name for it, as the Node
    preload records `{name, message}`."""

    def __init__(self, name, message):
        Exception.__init__(self, message)
        self.name = name


def error_type(err, qualified=False):
    if isinstance(err, ReportedError):
        return err.name
    return type(err).__qualname__ if qualified else type(err).__name__


def error_attributes(err):
    """What an error says about the request: the HTTP status as google-genai's APIError
    (`code`), its Interactions errors (`status_code`) and the legacy SDK's google.api_core errors
    (`code`) carry it."""
    attrs = {"error.type": error_type(err)}
    for field in ("code", "status_code"):
        code = getattr(err, field, None)
        if isinstance(code, int) and not isinstance(code, bool):
            attrs["http.response.status_code"] = code
            break
    return attrs
