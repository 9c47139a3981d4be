"""google-genai's Live API, `client.aio.live.connect(...)`: one trace per session, a span per turn,
a TOOL span per function call (the shape is in src/inject/node/live.ts's header; live_session.py
cuts the messages into spans). google-genai has no synchronous Live client.

Where google-genai differs from @google/genai: connect() is an async context manager (not a
promise with callbacks) and the session reads the socket itself when the program iterates
`session.receive()`. So the wrapper is a context manager of the same kind around the SDK's own:
once the SDK has opened the socket and exchanged the setup, the socket object the session holds
(`session._ws`) gets its `send`, `recv` and `close` shadowed on the instance, so the session sees
each JSON message exactly as it goes over the wire, both ways; the program gets the SDK's own
AsyncSession and every message untouched. The session ends when the socket's close is seen: a
`recv` that fails with the server's close (by = server, or error without a close frame), or the
program leaving the `async with` block (by = client: the SDK closes the socket there)."""

import contextlib
import inspect

from . import callsite
from .calls import capture
from .patch import patch
from .shapes import config


def install(live_module):
    cls = getattr(live_module, "AsyncLive", None)
    original = vars(cls).get("connect") if cls is not None else None
    if inspect.isasyncgenfunction(getattr(original, "__wrapped__", None)):
        patch(cls, "connect", _connect)


def _inputs(kwargs, config_type):
    """{model, config}: config as passed, without http_options, callable tools named,
    systemInstruction only with content capture (as the other google-genai spans record it)."""
    cap = capture()
    out = {"model": kwargs.get("model")}
    cfg = config(kwargs.get("config"), cap, config_type)
    if cfg:
        out["config"] = cfg
    return out


def _connect(original):
    """connect() as the SDK has it, a function returning an async context manager: the call site
    is taken at the call (the program's connect line), the session begins when the block is
    entered."""
    @contextlib.asynccontextmanager
    async def session_of(self, site, args, kwargs):
        session = _start(kwargs, site)
        if session is None:
            async with original(self, *args, **kwargs) as s:
                yield s
            return
        entered = False
        try:
            async with original(self, *args, **kwargs) as s:
                entered = True
                _tap(session, s)
                yield s
        except BaseException as e:
            if not entered:
                session.failed(e)
            raise
        finally:
            if entered:
                _left(session, s)

    def connect(self, *args, **kwargs):
        return session_of(self, callsite.capture(1), args, kwargs)
    return connect


def _start(kwargs, site):
    try:
        from google.genai import types

        from .live_session import LiveSession

        return LiveSession.start(kwargs.get("model"), _inputs(kwargs, getattr(types, "LiveConnectConfig", None)), site)
    except Exception:
        return None


def _closed_by(err):
    """A websockets ConnectionClosed (by its attributes: the SDK's websockets version decides the
    class): (code, reason) of the close frame received, or None without one."""
    rcvd = getattr(err, "rcvd", None)
    return (getattr(rcvd, "code", None), getattr(rcvd, "reason", None)) if rcvd is not None else None


def _is_closed(err):
    return any(c.__name__ == "ConnectionClosed" for c in type(err).__mro__)


def _tap(session, s):
    try:
        session.setup_complete(getattr(s, "session_id", None))
        ws = getattr(s, "_ws", None)
        if ws is None:
            return
        send, recv, close = ws.send, ws.recv, ws.close

        async def traced_send(message, *args, **kwargs):
            _safely(session.sent, message)
            return await send(message, *args, **kwargs)

        async def traced_recv(*args, **kwargs):
            try:
                data = await recv(*args, **kwargs)
            except BaseException as e:
                if _is_closed(e):
                    _socket_closed(session, e)
                raise
            _safely(session.received, data)
            return data

        async def traced_close(*args, **kwargs):
            _safely(session.closing)
            return await close(*args, **kwargs)

        ws.send, ws.recv, ws.close = traced_send, traced_recv, traced_close
    except Exception:
        pass


def _socket_closed(session, err):
    try:
        frame = _closed_by(err)
        if session.client_closing:
            session.end("client", *(frame or (None, None)))
        elif frame is not None:
            session.end("server", frame[0], frame[1] or None)
        else:
            session.end("error", 1006, None, "The connection to the Live API broke off: %s" % (str(err) or type(err).__name__))
    except Exception:
        pass


def _left(session, s):
    """The program left connect()'s block, where the SDK closes the socket: by the client, unless
    the server's close frame came first (goAway, then a close the program never read)."""
    try:
        ws = getattr(s, "_ws", None)
        code, reason = getattr(ws, "close_code", None), getattr(ws, "close_reason", None)
        first = getattr(ws, "close_rcvd_then_sent", None)  # websockets' legacy client
        if first is None:
            first = getattr(getattr(ws, "protocol", None), "close_rcvd_then_sent", None)
        session.end("server" if first is True else "client", code if isinstance(code, int) else None, reason or None)
    except Exception:
        pass


def _safely(fn, *args):
    try:
        fn(*args)
    except Exception:
        pass
