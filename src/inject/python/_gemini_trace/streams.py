"""A streamed call's spans live as long as the stream: they end when the app's iteration ends,
fails, or is stopped early (close(), break, garbage collection). The app gets a generator (an
async generator for client.aio) that yields the SDK's own chunk objects, raises the SDK's own
errors, and runs each step in the calls' context, so the round trips and tool calls the SDK makes
while streaming nest under them. Outputs are the chunks assembled into one response, as the
non-streaming call would have returned it (the Node preload's assembleChunks)."""

from . import shapes
from .calls import capture


def assemble(chunks):
    """Adjacent text parts (and adjacent thoughts) concatenated; the last chunk's metadata wins."""
    parts, role, last, extras = [], "model", {}, {}
    for c in chunks:
        if not isinstance(c, dict):
            continue
        last = c
        cands = c.get("candidates")
        cand = cands[0] if isinstance(cands, list) and cands else None
        if not isinstance(cand, dict):
            continue
        extras.update({k: v for k, v in cand.items() if k != "content" and v is not None})
        content = cand.get("content")
        if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
            continue
        role = content.get("role") or role
        for p in content["parts"]:
            if not isinstance(p, dict):
                continue
            prev = parts[-1] if parts else None
            if (
                isinstance(p.get("text"), str) and prev is not None and isinstance(prev.get("text"), str)
                and bool(prev.get("thought")) == bool(p.get("thought")) and set(p) <= {"text", "thought"}
            ):
                parts[-1] = dict(prev, text=prev["text"] + p["text"])
            else:
                parts.append(dict(p))
    out = {"candidates": [dict(extras, content={"role": role, "parts": parts})]}
    for k in ("usageMetadata", "modelVersion", "responseId", "promptFeedback", "createTime"):
        if last.get(k) is not None:
            out[k] = last[k]
    return out


class _Tracking:
    """The calls one stream ends, innermost first (a list, or a function giving it: a chat's AFC
    loop begins during the stream); `usage` gives the call (if any) that carries the assembled
    usage, asked at the end."""

    def __init__(self, calls, usage):
        self._calls = calls if callable(calls) else (lambda: calls)
        self.usage = usage
        self.chunks = []
        self.done = False

    def chunk(self, c):
        if not self.chunks:
            for call in self._calls():
                call.first_chunk()
        self.chunks.append(c)

    def assembled(self):
        return assemble([shapes.response(c, True) for c in self.chunks])

    def finish(self, closed_early=False):
        if self.done:
            return
        self.done = True
        try:
            whole = self.assembled()
            out = whole if capture() else shapes.metadata(whole)
            extra = {"gemini_trace.stream_chunks": len(self.chunks)}
            if closed_early:
                extra["gemini_trace.stream_closed_early"] = True
            usage = self.usage() if callable(self.usage) else self.usage
            for call in self._calls():  # innermost first
                call.succeed(out, whole if call is usage else None, extra)
        except Exception:
            pass

    def fail(self, err):
        if self.done:
            return
        self.done = True
        try:
            whole = self.assembled()
            out = whole if capture() else shapes.metadata(whole)
        except Exception:
            out = None
        for call in self._calls():
            call.fail(err, out)


def _owner(calls):
    """The call whose context the stream's steps run in: the outermost (a chat: its model calls
    are made from its context)."""
    return (calls() if callable(calls) else calls)[-1]


def traced(calls, source, usage):
    """Wraps a sync generator (or any iterator) of chunks."""
    t = _Tracking(calls, usage)
    owner = _owner(calls)
    it = None
    try:
        while True:
            token = owner.enter()
            try:
                if it is None:
                    it = iter(source)
                chunk = next(it)
            except StopIteration:
                t.finish()
                return
            except BaseException as e:
                t.fail(e)
                raise
            finally:
                owner.leave(token)
            t.chunk(chunk)
            yield chunk
    except GeneratorExit:
        close = getattr(it if it is not None else source, "close", None)
        if close is not None:
            token = owner.enter()
            try:
                close()
            finally:
                owner.leave(token)
        t.finish(closed_early=True)
        raise


async def traced_async(calls, source, usage):
    """Wraps an async iterator of chunks (google-genai's AsyncIterator)."""
    t = _Tracking(calls, usage)
    owner = _owner(calls)
    it = source.__aiter__()
    try:
        while True:
            token = owner.enter()
            try:
                chunk = await it.__anext__()
            except StopAsyncIteration:
                t.finish()
                return
            except BaseException as e:
                t.fail(e)
                raise
            finally:
                owner.leave(token)
            t.chunk(chunk)
            yield chunk
    except GeneratorExit:
        close = getattr(it, "aclose", None)
        if close is not None:
            token = owner.enter()
            try:
                await close()
            finally:
                owner.leave(token)
        t.finish(closed_early=True)
        raise
