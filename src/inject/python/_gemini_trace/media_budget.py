"""Media parts kept in spans up to a bounded size (the Node preload's media.ts): each blob (any
dict with a base64 `data` string and a `mime_type` or `mimeType`: inlineData / inline_data, an
Interactions image/audio/video/document item, a Live blob) is kept whole while it is at most
PART_LIMIT bytes and its trace has not spent TRACE_LIMIT on media; past either, only its metadata
is kept, with `gemini_trace_bytes` and `gemini_trace_elided` (MEDIA_ELIDED in
src/shared/runTags.ts) instead of `data`. Spans of one trace share one Budget, spent in the order
their inputs and outputs are recorded. Copy-on-write over JSON-able data (media.rewrite): a value
with no blob to drop comes back as the same object, and nothing given is ever changed.
Limits: GEMINI_TRACE_MEDIA_PART_BYTES, GEMINI_TRACE_MEDIA_TRACE_BYTES (0 keeps no bytes), read as
Node's Number() reads them."""

import os
import re

from .media import base64_bytes, rewrite

ELIDED_BYTES, ELIDED_REASON = "gemini_trace_bytes", "gemini_trace_elided"
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _limit(name, fallback):
    raw = os.environ.get(name)
    if raw is None:
        return fallback
    text = raw.strip()
    try:
        if not text:
            return 0  # Number("") is 0
        if re.match(r"^0[xX][0-9a-fA-F]+$", text):
            return int(text, 16)
        if not _NUMBER.match(text):
            return fallback
        v = float(text)
        return (int(v) if v == int(v) else v) if v >= 0 and v != float("inf") else fallback
    except (ValueError, OverflowError):
        return fallback


PART_LIMIT = _limit("GEMINI_TRACE_MEDIA_PART_BYTES", 2 * 1024 * 1024)
TRACE_LIMIT = _limit("GEMINI_TRACE_MEDIA_TRACE_BYTES", 16 * 1024 * 1024)


class Budget:
    """What one trace may still spend on media bytes, shared by its spans."""

    __slots__ = ("left", "kept")

    def __init__(self):
        self.left = TRACE_LIMIT
        self.kept = 0  # base64 characters kept so far: a span's JSON may grow past its cap by this much


def _mb(n):
    """n bytes in MB as Node writes `${+(n / 1024 / 1024).toFixed(1)} MB` (exact half-up tenths)."""
    from fractions import Fraction

    tenths = int(Fraction(n) * 10 / (1024 * 1024) + Fraction(1, 2))
    return "%d MB" % (tenths // 10) if tenths % 10 == 0 else "%d.%d MB" % (tenths // 10, tenths % 10)


def _is_blob(o):
    data = o.get("data")
    if not isinstance(data, str) or not (isinstance(o.get("mimeType"), str) or isinstance(o.get("mime_type"), str)):
        return False
    head = data[:6].lower()
    return not (data.startswith("mlflow-attachment://") or head.startswith("http:") or head.startswith("https:"))


def bound(value, budget):
    """`value` with every blob over the limits reduced to its metadata. Depth is bounded."""
    return rewrite(value, lambda o: _bounded(o, budget), 40)


def _bounded(o, budget):
    """A blob as it is kept (itself) or its metadata, spending the budget; None when `o` is no blob."""
    if not _is_blob(o):
        return None
    data = o["data"]
    size = base64_bytes(data)
    if size <= PART_LIMIT and size <= budget.left:
        budget.left -= size
        budget.kept += len(data)
        return o
    if size > PART_LIMIT:
        reason = "over the %s per-part limit" % _mb(PART_LIMIT)
    else:
        reason = "over the %s per-trace limit for media" % _mb(TRACE_LIMIT)
    out = {k: v for k, v in o.items() if k != "data"}
    out[ELIDED_BYTES] = size
    out[ELIDED_REASON] = reason
    return out
