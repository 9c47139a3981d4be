"""google-genai's chats (`client.chats`, `client.aio.chats`): `Chat.sendMessage` /
`Chat.sendMessageStream` (CHAT_MODEL, no usage), whose model calls are children. Every turn of a
chat carries the trace tag gemini_trace.chat = `chat-<n>`, n counting the chats made in this
process from 1 (as the Node preload counts them), so the Traces view groups them as one session.

google-genai 3.x runs the automatic function calling loop in the chat itself (its model calls go
out with AFC turned off); @google/genai, and google-genai before 3, run it inside the chat's
models.generate_content. So that every version draws the Node preload's tree, a chat that runs
the loop itself gets the span Node has there, `Models.generateContent(Stream)` (LLM, the loop:
inputs the contents the chat sends, no usage), opened at its first round trip and dated from the
chat's start; the chat's model calls become the loop's round trips,
`Models.generateContent(Stream)Internal` with their usage, beside the TOOL spans. A chat whose
model call runs the loop needs nothing of this: that call is the loop (genai_models.py)."""

import inspect
import itertools
import weakref

from . import shapes, streams
from .calls import Call, capture
from .genai_endpoint import endpoint
from .genai_models import predict_afc, succeed
from .patch import patch

_CHAT_METHODS = (("send_message", "Chat.sendMessage", False), ("send_message_stream", "Chat.sendMessageStream", True))
TAG_CHAT = "gemini_trace.chat"
_count = itertools.count(1)  # next() is atomic: chats made on several threads get distinct numbers
_ids = weakref.WeakKeyDictionary()  # chat → "chat-<n>"; nothing is added to the program's object


def install(chats, gen_cfg):
    for cls in (chats.Chat, chats.AsyncChat):
        patch(cls, "__init__", _numbering)
        for method, name, stream in _CHAT_METHODS:
            patch(cls, method, lambda o, n=name, s=stream: _wrap(o, n, s, gen_cfg))


def _numbering(original):
    """Chat(…) as the SDK has it; the chat gets its number when it is made (chats.create)."""
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        _chat_id(self)
    return __init__


def _chat_id(chat):
    try:
        found = _ids.get(chat)
        if found is None:
            found = _ids[chat] = "chat-%d" % next(_count)
        return found
    except Exception:  # a chat that cannot be weakly referenced or hashed: no session tag
        return None


def _open(chat, name, stream, args, kwargs, gen_cfg):
    """The chat's Call (None when tracing is off), ready to open the AFC loop's span if needed."""
    try:
        message = args[0] if args else kwargs.get("message")
        config = kwargs.get("config") or (args[1] if len(args) > 1 else None) or getattr(chat, "_config", None)
        model = getattr(chat, "_model", None)
        cap = capture()
        cfg = shapes.config(config, cap, gen_cfg)
        inputs = {"message": shapes.contents(message)} if cap else {}
        if cfg is not None:
            inputs["config"] = cfg
        chat_id = _chat_id(chat)
        call = Call.start(name, "CHAT_MODEL", inputs, model, cfg, trace_tags={TAG_CHAT: chat_id} if chat_id else None)
        if call is None or not predict_afc(config):
            return call
        loop_inputs = {"model": model}
        if cap:
            history = list(getattr(chat, "_curated_history", None) or [])
            loop_inputs["contents"] = shapes.contents(history + [message])
        if cfg is not None:
            loop_inputs["config"] = cfg
        loop_name = "Models.generateContentStream" if stream else "Models.generateContent"

        def open_loop():
            attrs = endpoint(getattr(chat, "_modules", None), config)
            loop = Call.start(loop_name, "LLM", loop_inputs, model, cfg, afc=True, chat_afc=True, parent=call.frame, attributes=attrs)
            if loop is not None:
                loop.span.start_ns, loop.span._t0 = call.span.start_ns, call.span._t0
            call.frame.loop = loop
            return loop

        call.frame.open_loop = open_loop
        return call
    except Exception:
        return None


def _calls(chat):
    """The chat's calls, innermost first: the AFC loop (if it began), then the chat."""
    loop = chat.frame.loop
    return [loop, chat] if loop is not None else [chat]


def _wrap(original, name, stream, gen_cfg):
    def finish(chat, result):
        if stream:
            traced = streams.traced_async if hasattr(result, "__anext__") else streams.traced
            return traced(lambda: _calls(chat), result, None)
        for call in _calls(chat):
            succeed(call, result, False)
        return result

    def inner(chat):
        return lambda: _calls(chat)[:-1]  # the AFC loop's span, if it began, fails with the chat

    if inspect.iscoroutinefunction(original):
        async def send_async(self, *args, **kwargs):
            chat = _open(self, name, stream, args, kwargs, gen_cfg)
            if chat is None:
                return await original(self, *args, **kwargs)
            return finish(chat, await chat.arun(original, (self,) + args, kwargs, also=inner(chat)))
        return send_async

    def send(self, *args, **kwargs):
        chat = _open(self, name, stream, args, kwargs, gen_cfg)
        if chat is None:
            return original(self, *args, **kwargs)
        return finish(chat, chat.run(original, (self,) + args, kwargs, also=inner(chat)))
    return send
