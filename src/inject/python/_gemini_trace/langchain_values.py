"""LangChain's values as span data, as the Node preload writes them (langchainValues.ts): messages
become `{role, content, tool_calls?, tool_call_id?, name?}`, documents `{page_content, metadata}`,
pydantic models their JSON, other objects their class name in brackets; depth and breadth are
bounded so a large graph state never costs the app much. And LangChain messages as OpenTelemetry
GenAI messages (typed parts), for a chat-model span that is the model call itself: the otelGenai
adapter reads those. Nothing here may raise."""

import base64
import enum

MAX_DEPTH = 8
MAX_ITEMS = 500
_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "function": "function", "developer": "system"}


def message_dict(v):
    """A LangChain message as a plain dict; None when v is not one."""
    kind = getattr(v, "type", None)
    if not isinstance(kind, str) or not hasattr(v, "content") or not hasattr(v, "additional_kwargs"):
        return None
    role = getattr(v, "role", None) if kind == "chat" else None
    out = {"role": role if isinstance(role, str) else _ROLES.get(kind, kind), "content": plain(v.content, 1)}
    calls = getattr(v, "tool_calls", None)
    if isinstance(calls, list) and calls:
        out["tool_calls"] = plain(calls, 1)
    call_id = getattr(v, "tool_call_id", None)
    if isinstance(call_id, str):
        out["tool_call_id"] = call_id
    name = getattr(v, "name", None)
    if isinstance(name, str) and name:
        out["name"] = name
    return out


def plain(v, depth=0):
    """A JSON-able copy of a LangChain value."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else None
    if depth >= MAX_DEPTH:
        return "…"
    if isinstance(v, dict):
        out = {}
        for i, (k, x) in enumerate(v.items()):
            if i >= MAX_ITEMS:
                break
            out[str(k)] = plain(x, depth + 1)
        return out
    if isinstance(v, (list, tuple)):
        return [plain(x, depth + 1) for x in v[:MAX_ITEMS]]
    if isinstance(v, enum.Enum):
        return plain(v.value, depth + 1)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v[:100000])).decode("ascii")
    m = message_dict(v)
    if m is not None:
        return m
    if isinstance(getattr(v, "page_content", None), str):
        return {"page_content": v.page_content, "metadata": plain(getattr(v, "metadata", None), depth + 1)}
    dump = getattr(v, "model_dump", None)
    if callable(dump) and not isinstance(v, type):
        try:
            return plain(dump(), depth + 1)
        except Exception:
            pass
    return "[%s]" % type(v).__name__


def _parts(m):
    """GenAI semantic-convention parts of a message dict's content and tool calls."""
    out = []
    content = m.get("content")
    if isinstance(content, str):
        if content:
            out.append({"type": "text", "content": content})
    elif isinstance(content, list):
        for c in content:
            if isinstance(c, str):
                out.append({"type": "text", "content": c})
            elif not isinstance(c, dict):
                continue
            elif c.get("type") == "text" and isinstance(c.get("text"), str):
                out.append({"type": "text", "content": c["text"]})
            elif c.get("type") in ("thinking", "reasoning"):
                text = c.get("thinking") or c.get("reasoning") or c.get("text")
                if isinstance(text, str):
                    out.append({"type": "reasoning", "content": text})
            elif c.get("type") == "image_url":
                url = c.get("image_url")
                out.append({"type": "uri", "modality": "image", "uri": url.get("url") if isinstance(url, dict) else url})
            elif c.get("type") in ("functionCall", "tool_use", "tool_call"):
                continue  # repeated in tool_calls
            else:
                out.append({"type": str(c.get("type") or "unknown"), "value": c})
    if m.get("role") == "tool":
        response = content if isinstance(content, str) else [p.get("content", p.get("value")) for p in out]
        return [{"type": "tool_call_response", "id": m.get("tool_call_id"), "response": response}]
    for tc in m.get("tool_calls") or []:
        if isinstance(tc, dict):
            out.append({"type": "tool_call", "id": tc.get("id"), "name": tc.get("name"), "arguments": tc.get("args")})
    return out


def genai_messages(messages, reply, finish_reason=None):
    """(gen_ai.input.messages, gen_ai.system_instructions, gen_ai.output.messages) of a chat model
    run, from its message dicts."""
    system, rest = [], []
    for m in messages:
        if m.get("role") == "system":
            system.extend(_parts(m))
        else:
            rest.append({"role": m.get("role"), "parts": _parts(m)})
    output = []
    if reply is not None:
        out = {"role": "assistant", "parts": _parts(reply)}
        if finish_reason:
            out["finish_reason"] = finish_reason
        output.append(out)
    return rest, system, output
