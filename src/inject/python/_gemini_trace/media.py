"""Media in traces as metadata (the Node preload's media.ts): an inline blob (base64 `data` with a
mime type) becomes its mime type, its size in bytes and, for PCM audio, its duration, so audio and
video never land in MLflow and a big image cannot push a whole reply past the attribute size cap.
Two spellings: the Interactions API's content items (`{type, mime_type, data}` → `{type,
mime_type, bytes, duration_ms}`) and the Live API's blobs (`{mimeType, data}` → `{mimeType, bytes,
durationMs}`). Copy-on-write over JSON-able data (rewrite, shared with media_budget.py): a value
with no media comes back as the same object. Nothing here may raise into the caller's path
(callers shape inside try)."""

import re

_RATE = re.compile(r"rate=(\d+)", re.I)
_PCM = re.compile(r"^audio/(pcm|l16)", re.I)
_AV = re.compile(r"^(audio|video)/")
_KINDS = ("audio", "video", "image", "document")


def base64_bytes(b64):
    """Decoded size of a base64 string, without decoding it."""
    pad = 2 if b64.endswith("==") else 1 if b64.endswith("=") else 0
    return max(0, len(b64) * 3 // 4 - pad)


def _tidy(x):
    """A number as JSON.stringify writes it: 100.0 → 100."""
    return int(x) if x == int(x) else x


def pcm_duration_ms(mime, size, sample_rate=None, channels=None):
    """Milliseconds of 16-bit PCM audio: the rate from `audio/pcm;rate=N` (or the item's own
    sample_rate), one channel unless told otherwise."""
    if not _PCM.match(mime):
        return None
    m = _RATE.search(mime)
    try:
        rate = float(m.group(1) if m else sample_rate)
    except (TypeError, ValueError):
        return None
    try:
        ch = float(channels) if channels and float(channels) > 0 else 1.0
    except (TypeError, ValueError):
        ch = 1.0
    if not rate > 0:
        return None
    return _tidy(round(size / 2 / ch / rate * 1000, 1))


def _summarize(o, keep_below):
    data = o.get("data")
    if not isinstance(data, str):
        return None
    snake = isinstance(o.get("mime_type"), str)
    mime = str((o.get("mime_type") if snake else o.get("mimeType")) or "")
    kind = o["type"] if isinstance(o.get("type"), str) else mime.split("/")[0]
    if not snake and not isinstance(o.get("mimeType"), str) and kind not in _KINDS:
        return None
    av = kind in ("audio", "video") or bool(_AV.match(mime))
    if not av and keep_below > 0 and len(data) < keep_below:
        return None
    out = {k: v for k, v in o.items() if k != "data"}
    size = base64_bytes(data)
    out["bytes"] = size
    ms = pcm_duration_ms(mime, size, o.get("sample_rate", o.get("sampleRate")), o.get("channels"))
    if ms is not None:
        out["duration_ms" if snake or isinstance(o.get("type"), str) else "durationMs"] = ms
    return out


def without_media(value, keep_below):
    """`value` with every inline blob summarized: audio and video always, other media from
    `keep_below` base64 characters (0: always). The same object when there is none."""
    return rewrite(value, lambda o: _summarize(o, keep_below), 24)


def rewrite(value, replace, max_depth, _depth=0):
    """`value` with each dict that `replace(d)` answers for (anything but None: its stand-in, or d
    itself to keep it as it is) replaced, and the other dicts and lists walked, to `max_depth`.
    Copy-on-write: a value with nothing replaced comes back as the same object, and nothing given
    is changed. Lists of numbers (embeddings, logprobs) hold no media and are not walked."""
    if _depth > max_depth:
        return value
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (int, float)) and not isinstance(value[0], bool):
            return value
        items = enumerate(value)
    elif isinstance(value, dict):
        found = replace(value)
        if found is not None:
            return found
        items = value.items()
    else:
        return value
    copy = None
    for k, v in items:
        if not isinstance(v, (dict, list, tuple)):
            continue
        w = rewrite(v, replace, max_depth, _depth + 1)
        if w is not v:
            if copy is None:
                copy = dict(value) if isinstance(value, dict) else list(value)
            copy[k] = w
    return value if copy is None else copy
