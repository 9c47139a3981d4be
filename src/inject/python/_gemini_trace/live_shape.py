"""What a Live API span records (the Node preload's liveShape.ts; the shape is in
src/inject/node/live.ts's header): the JSON messages of a turn, both ways, with every inline blob
reduced to its mime type, size and duration, and runs of media-only messages (streamed audio
chunks) folded into one entry."""

import json
import re

from . import shapes
from .media import without_media

MAX_TURN_MESSAGES = 200  # most messages one turn keeps each way; beyond it they are counted, not kept
_LIVE_USAGE = ("promptTokenCount", ("responseTokenCount", "candidatesTokenCount"), "totalTokenCount", "cachedContentTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount")
_SNAKE = re.compile(r"_([a-z])")


def parse_frame(data):
    """A raw WebSocket payload (text or bytes) as a JSON object, or None."""
    try:
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = bytes(data).decode("utf-8")
        if not isinstance(data, str):
            return None
        v = json.loads(data)
        return v if isinstance(v, dict) else None
    except Exception:
        return None


# Fields whose values are the program's own data (a function's args and response, a schema's
# property names, raw JSON schemas): their keys are kept as they are.
_FREE_FORM = frozenset(("args", "response", "properties", "parametersJsonSchema", "responseJsonSchema", "output"))


def camel_message(msg, _depth=0):
    """A client message in the camelCase of the API's JSON, as @google/genai sends it and the Node
    preload records it: google-genai names the top-level fields in snake_case (client_content,
    realtime_input, tool_response) and some inner ones too (a realtime blob's mime_type)."""
    if isinstance(msg, list):
        return [camel_message(v, _depth + 1) for v in msg] if _depth < 24 else msg
    if not isinstance(msg, dict) or _depth >= 24:
        return msg
    out = {}
    for k, v in msg.items():
        key = _SNAKE.sub(lambda m: m.group(1).upper(), k) if "_" in k else k
        out[key] = v if key in _FREE_FORM else camel_message(v, _depth + 1)
    return out


def recorded_message(msg, capture):
    """One message as recorded: media as metadata; without content capture, only its kinds (and usage)."""
    if not capture:
        return {k: (v if k == "usageMetadata" else {}) for k, v in msg.items()}
    return without_media(msg, 0)


def _sole_blob(m):
    """The one blob a media-only message carries, and where: `realtimeInput.<kind>`, or the single
    inlineData part of a modelTurn with nothing else in the message."""
    if len(m) != 1:
        return None
    key, v = next(iter(m.items()))
    if not isinstance(v, dict):
        return None
    if key == "realtimeInput" and len(v) == 1:
        inner, blob = next(iter(v.items()))
        if isinstance(blob, dict) and isinstance(blob.get("bytes"), int):
            return "realtimeInput." + inner, blob
    if key == "serverContent" and list(v) == ["modelTurn"] and isinstance(v["modelTurn"], dict):
        parts = v["modelTurn"].get("parts")
        if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict):
            blob = parts[0].get("inlineData")
            if isinstance(blob, dict) and isinstance(blob.get("bytes"), int):
                return "serverContent.modelTurn.inlineData", blob
    return None


def append_message(items, msg):
    """Appends a recorded message, folded into the previous one when both are the same kind of
    media chunk (bytes and durations summed, `chunks` counted). False when the list is full."""
    a = _sole_blob(items[-1]) if items else None
    b = _sole_blob(msg) if a else None
    if a and b and a[0] == b[0] and a[1].get("mimeType") == b[1].get("mimeType"):
        blob, more = a[1], b[1]
        blob["bytes"] = blob["bytes"] + more["bytes"]
        if isinstance(blob.get("durationMs"), (int, float)) and isinstance(more.get("durationMs"), (int, float)):
            total = round(blob["durationMs"] + more["durationMs"], 1)
            blob["durationMs"] = int(total) if total == int(total) else total
        blob["chunks"] = blob.get("chunks", 1) + 1
        return True
    if len(items) >= MAX_TURN_MESSAGES:
        return False
    # A summarized blob is already our own copy (without_media copies on write): safe to fold into.
    items.append(msg)
    return True


def live_usage(u):
    """`mlflow.chat.tokenUsage` from a Live usageMetadata (responseTokenCount where generateContent
    says candidatesTokenCount)."""
    return shapes.mapped_usage(u, _LIVE_USAGE)


def add_usage(total, u):
    """Adds one usage into a running sum (the session's total, informational)."""
    if not u:
        return total
    out = dict(total or {})
    for k, v in u.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = out.get(k, 0) + v
    return out
