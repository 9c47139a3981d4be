"""A streamed interaction tapped in place (the Node preload's streamTap.ts). google-genai returns its
own `Stream` / `AsyncStream` object, whose iteration reads `stream.generator` (the SDK itself swaps
that generator to translate errors and to chain continuation hops); we swap it once more for one
that yields the very same event objects while it assembles them, and shadow the object's `close`
with one that notes an early stop. The app keeps the SDK's object (same class, same identity) and
reads every event untouched; nothing is read ahead of the app.

Where the two SDKs differ: @google/genai hands out a ReadableStream, with its reader, tee() and
pipeTo(); google-genai's streams are plain (async) iterators, so the ways to stop are `break`
(the generator is closed once the stream is dropped), `close()` / leaving its `with` block, or an
error. An event we cannot read stops the assembly, never the stream; a stream object we do not
know (no `generator`) is left as it is."""

from .interaction_shape import as_json
from .interaction_stream import InteractionAssembler


class _Tap:
    """`first_delta()` when the first step delta reaches the app; `end(asm, how, err)` once, with
    how = done | early | error, and asm None if an event could not be read."""

    def __init__(self, first_delta, end):
        self.asm = InteractionAssembler()
        self.ended = False
        self._first_delta = first_delta
        self._end = end

    def see(self, event):
        if self.asm is None or self.ended:
            return
        try:
            if self.asm.add(as_json(event)):
                self._first_delta()
        except Exception:
            self.asm = None

    def end(self, how, err=None):
        if self.ended:
            return
        self.ended = True
        try:
            self._end(self.asm, how, err)
        except Exception:
            pass


def _events(gen, tap):
    try:
        for event in gen:
            tap.see(event)
            yield event
    except GeneratorExit:
        tap.end("early")
        gen.close()
        raise
    except BaseException as e:
        tap.end("error", e)
        raise
    tap.end("done")


async def _aevents(agen, tap):
    try:
        async for event in agen:
            tap.see(event)
            yield event
    except GeneratorExit:
        tap.end("early")
        await agen.aclose()
        raise
    except BaseException as e:
        tap.end("error", e)
        raise
    tap.end("done")


def watch_stream(stream, first_delta, end):
    """Taps the stream in place; False when it is of a kind we cannot tap (then left untouched)."""
    gen = getattr(stream, "generator", None)
    tap = _Tap(first_delta, end)
    try:
        if hasattr(gen, "__anext__") and hasattr(gen, "aclose"):
            stream.generator = _aevents(gen, tap)
            close = stream.close

            async def aclose_early(*args, **kwargs):
                tap.end("early")
                return await close(*args, **kwargs)

            stream.close = aclose_early
            return True
        if hasattr(gen, "__next__") and hasattr(gen, "close"):
            stream.generator = _events(gen, tap)
            close = stream.close

            def close_early(*args, **kwargs):
                tap.end("early")
                return close(*args, **kwargs)

            stream.close = close_early
            return True
    except Exception:
        pass
    return False
