"""google-genai's chats (`client.chats`, `client.aio.chats`): `Chat.sendMessage` /
`Chat.sendMessageStream` (CHAT_MODEL, no usage), whose model calls are children.

In google-genai the chat runs the automatic function calling loop itself (in @google/genai the
chat's models.generateContent runs it). So that both languages draw the same tree, a chat turn
that runs the loop gets the span the Node preload has there: `Models.generateContent(Stream)`
(LLM, the loop: inputs the contents the chat sends, no usage), and the chat's model calls under
it become its round trips, `Models.generateContent(Stream)Internal` with their usage, beside the
TOOL spans. Chat.sendMessageStream and the loop span carry time to first chunk."""

from . import shapes, streams
from .calls import Call, capture
from .genai_models import predict_afc, succeed
from .patch import patch

_CHAT_METHODS = (("send_message", "Chat.sendMessage", False), ("send_message_stream", "Chat.sendMessageStream", True))


def install(chats, gen_cfg):
    for cls in (chats.Chat, chats.AsyncChat):
        for method, name, stream in _CHAT_METHODS:
            patch(cls, method, lambda o, n=name, s=stream: _wrap(o, n, s, gen_cfg))


def _open(chat, name, stream, args, kwargs, gen_cfg):
    """[chat call] or [chat call, loop call]; [] when tracing is off."""
    try:
        message = args[0] if args else kwargs.get("message")
        config = kwargs.get("config") or (args[1] if len(args) > 1 else None) or getattr(chat, "_config", None)
        model = getattr(chat, "_model", None)
        cap = capture()
        cfg = shapes.config(config, cap, gen_cfg)
        inputs = {"message": shapes.contents(message)} if cap else {}
        if cfg is not None:
            inputs["config"] = cfg
        chat_call = Call.start(name, "CHAT_MODEL", inputs, model, cfg)
        if chat_call is None:
            return []
        if not predict_afc(config):
            return [chat_call]
        loop_inputs = {"model": model}
        if cap:
            history = list(getattr(chat, "_curated_history", None) or [])
            loop_inputs["contents"] = shapes.contents(history + [message])
        if cfg is not None:
            loop_inputs["config"] = cfg
        token = chat_call.enter()
        try:
            loop = Call.start("Models.generateContentStream" if stream else "Models.generateContent", "LLM", loop_inputs, model, cfg, afc=True, chat_afc=True)
        finally:
            chat_call.leave(token)
        return [chat_call, loop] if loop is not None else [chat_call]
    except Exception:
        return []


def _wrap(original, name, stream, gen_cfg):
    """The innermost of the calls _open made runs the SDK's method; a stream's calls end with it,
    the others with the response."""
    import inspect

    def finish(calls, result):
        if stream:
            return (streams.traced_async if hasattr(result, "__anext__") else streams.traced)([calls[-1]] + calls[:-1], result, None)
        for call in reversed(calls):
            succeed(call, result, False)
        return result

    if inspect.iscoroutinefunction(original):
        async def send_async(self, *args, **kwargs):
            calls = _open(self, name, stream, args, kwargs, gen_cfg)
            if not calls:
                return await original(self, *args, **kwargs)
            return finish(calls, await calls[-1].arun(original, (self,) + args, kwargs, also=calls[:-1]))
        return send_async

    def send(self, *args, **kwargs):
        calls = _open(self, name, stream, args, kwargs, gen_cfg)
        if not calls:
            return original(self, *args, **kwargs)
        return finish(calls, calls[-1].run(original, (self,) + args, kwargs, also=calls[:-1]))
    return send
