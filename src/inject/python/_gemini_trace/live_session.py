"""One traced Live session (the Node preload's liveSession.ts; the shape is in
src/inject/node/live.ts's header): fed every JSON message the SDK sends and receives on its
WebSocket (genai_live.py taps them), it cuts the session into turns, opens a TOOL span per
function call the server asks for, and closes everything when the socket does.

Code locations: the session's is connect()'s call site; a turn's, the program's send that opened
it (else the session's); a tool's, its turn's. Python reads the socket from the program's own
receive loop (Node from socket events, with no program frame on the stack), so a turn the server
opens and a tool span are given their site rather than finding the receive loop's line."""

import time

from . import callsite
from .calls import Call, Runtime, capture
from .live_shape import add_usage, append_message, camel_message, live_usage, parse_frame, recorded_message
from .shapes import ReportedError, to_json

ATTR_SESSION = "gemini.live.session_id"
TURN_GRACE_S = 0.25  # how long a finished turn waits for a usageMetadata that trails its turnComplete
_open = set()


def _end_open_sessions():
    for s in list(_open):
        s.end("exit")


class _Turn:
    __slots__ = ("call", "inputs", "outputs", "dropped", "text", "input_transcription", "output_transcription", "interrupted", "complete", "usage", "end_at", "timer")

    def __init__(self, call):
        self.call = call
        self.inputs, self.outputs, self.dropped = [], [], 0
        self.text = self.input_transcription = self.output_transcription = ""
        self.interrupted = self.complete = False
        self.usage = self.end_at = self.timer = None


class LiveSession:
    def __init__(self, root, model):
        self.root = root
        self.model = model
        self.turn = None
        self.turns = 0
        self.usage = None
        self.tools = {}  # function call id → its TOOL Call
        self.client_closing = False
        self.go_away = None
        self.session_id = None  # from setupComplete: on the root and on every turn opened after it
        self.ended = False
        self.capture = capture()

    @classmethod
    def start(cls, model, inputs, site=None):
        attrs = {"mlflow.llm.provider": "gemini"}
        if isinstance(model, str):
            attrs["gemini.live.model"] = model
        root = Call.start("Live.session", "CHAIN", inputs, attributes=attrs, site=site, open_root=True)
        if root is None:
            return None
        session = cls(root, model if isinstance(model, str) else None)
        _open.add(session)
        if _end_open_sessions not in Runtime.finalizers:
            Runtime.finalizers.append(_end_open_sessions)
        return session

    def setup_complete(self, session_id):
        if isinstance(session_id, str):
            self.session_id = session_id
            self.root.set({ATTR_SESSION: session_id})

    def sent(self, data):
        """A message the SDK is sending (the JSON text it hands the socket)."""
        if self.ended:
            return
        raw = parse_frame(data)
        if not raw or raw.get("setup") is not None:
            return
        msg = camel_message(raw)
        tr = msg.get("toolResponse")
        if isinstance(tr, dict) and isinstance(tr.get("functionResponses"), list):
            for r in tr["functionResponses"]:
                tool = self.tools.pop(r.get("id"), None) if isinstance(r, dict) and isinstance(r.get("id"), str) else None
                if tool is not None:
                    tool.succeed(r.get("response") if self.capture else {})
        elif self.turn is not None and self.turn.complete:
            self._close_turn()
        self._record(self._turn_for(True).inputs, msg)

    def received(self, data):
        """A message from the server (the payload the SDK reads off the socket)."""
        if self.ended:
            return
        msg = parse_frame(data)
        if not msg:
            return
        sc = msg.get("setupComplete")
        if isinstance(sc, dict):
            self.setup_complete(sc.get("sessionId"))
        if "goAway" in msg:
            self.go_away = msg["goAway"]
        turnish = any(k in msg for k in ("serverContent", "toolCall", "toolCallCancellation"))
        if not turnish and "usageMetadata" not in msg:
            return
        # A usage report that trails turnComplete still belongs to the finished turn.
        if turnish and self.turn is not None and self.turn.complete:
            self._close_turn()
        turn = self._turn_for(False)
        self._record(turn.outputs, msg)
        if "usageMetadata" in msg:
            turn.usage = live_usage(msg["usageMetadata"])
        content = msg.get("serverContent")
        if isinstance(content, dict):
            mt = content.get("modelTurn")
            for p in (mt.get("parts") if isinstance(mt, dict) else None) or []:
                if isinstance(p, dict) and isinstance(p.get("text"), str) and not p.get("thought"):
                    turn.text += p["text"]
            for key, attr in (("inputTranscription", "input_transcription"), ("outputTranscription", "output_transcription")):
                t = content.get(key)
                if isinstance(t, dict) and isinstance(t.get("text"), str):
                    setattr(turn, attr, getattr(turn, attr) + t["text"])
            if content.get("interrupted") is True:
                turn.interrupted = True
            if content.get("turnComplete") is True:
                turn.complete = True
                turn.end_at = time.perf_counter_ns()
                turn.timer = _later(TURN_GRACE_S, lambda: self._close_turn(turn))
        call = msg.get("toolCall")
        if isinstance(call, dict) and isinstance(call.get("functionCalls"), list):
            for fc in call["functionCalls"]:
                self._open_tool(turn, fc)
        cancel = msg.get("toolCallCancellation")
        if isinstance(cancel, dict) and isinstance(cancel.get("ids"), list):
            for i in cancel["ids"]:
                tool = self.tools.pop(i, None) if isinstance(i, str) else None
                if tool is not None:
                    tool.succeed({"cancelled": True}, extra={"gemini_trace.tool_cancelled": True})

    def closing(self):
        """The program (or the SDK, as it leaves connect()'s block) is closing the socket."""
        self.client_closing = True

    def failed(self, err):
        """connect() failed: the session never began."""
        if self.ended:
            return
        self.ended = True
        _open.discard(self)
        self.root.fail(err, {"turns": 0, "ended_by": "error"})

    def end(self, by, code=None, reason=None, error=None):
        """The socket closed (by = client | server | error | exit): everything still open ends."""
        if self.ended:
            return
        if self.turn is not None:
            self._close_turn()
        self.ended = True
        _open.discard(self)
        for tool in self.tools.values():
            tool.fail(ReportedError("LiveSessionClosed", "The session ended before the app sent this tool response."))
        self.tools.clear()
        out = {"turns": self.turns, "ended_by": by}
        if code is not None:
            out["close_code"] = code
        if reason:
            out["close_reason"] = reason
        if self.usage:
            out["usage"] = self.usage
        if self.go_away is not None:
            out["go_away"] = self.go_away
        # Normal closures (1000, or none given) are fine; anything else, or a socket error, is the error.
        if by == "error" or (by == "server" and code is not None and code not in (1000, 1005)):
            message = error or "The server closed the session (code %s%s)." % (code, ": " + reason if reason else "")
            self.root.fail(ReportedError("LiveSessionError", message), out)
        else:
            self.root.succeed(out)

    def _record(self, items, msg):
        if self.turn is not None and not append_message(items, recorded_message(msg, self.capture)):
            self.turn.dropped += 1

    def _turn_for(self, from_app):
        """The turn a message belongs to, opened if there is none (by the program's send, or the server)."""
        if self.turn is not None:
            return self.turn
        attrs = {"mlflow.llm.provider": "gemini", "mlflow.message.format": "gemini.live", "gemini_trace.turn_opened_by": "client" if from_app else "server"}
        if self.model:
            attrs["mlflow.llm.model"] = self.model
        if self.session_id is not None:
            attrs[ATTR_SESSION] = self.session_id
        site = (callsite.capture(1) if from_app else None) or self.root.frame.site
        call = Call.start("Live.turn", "CHAT_MODEL", None, attributes=attrs, parent=self.root.frame, site=site)
        self.turn = _Turn(call)
        return self.turn

    def _open_tool(self, turn, fc):
        if not isinstance(fc, dict) or turn.call is None:
            return
        name = fc["name"] if isinstance(fc.get("name"), str) and fc["name"] else "tool"
        id_ = fc.get("id") if isinstance(fc.get("id"), str) else None
        attrs = {"gen_ai.tool.name": name}
        if id_:
            attrs["gen_ai.tool.call.id"] = id_
        args = fc.get("args")
        tool = Call.start(name, "TOOL", (args if args is not None else {}) if self.capture else {}, attributes=attrs, parent=turn.call.frame, site=turn.call.frame.site)
        if tool is not None and id_:
            self.tools[id_] = tool

    def _close_turn(self, which=None):
        turn = self.turn
        if turn is None or (which is not None and which is not turn):
            return
        self.turn = None
        if turn.timer is not None:
            try:
                turn.timer.cancel()
            except Exception:
                pass
        self.turns += 1
        self.usage = add_usage(self.usage, turn.usage)
        call = turn.call
        if call is None:
            return
        cap = self.capture
        call.set({"mlflow.spanInputs": to_json({"messages": turn.inputs})})
        out = {
            "messages": turn.outputs,
            "text": turn.text if cap else "",
            "input_transcription": turn.input_transcription if cap else "",
            "output_transcription": turn.output_transcription if cap else "",
            "interrupted": turn.interrupted,
            "turn_complete": turn.complete,
        }
        if turn.dropped:
            out["messages_dropped"] = turn.dropped
        call.usage(turn.usage)
        call.succeed(out, end_at=turn.end_at)


def _later(seconds, fn):
    """fn on the program's running event loop after `seconds` (the SDK reads the socket in one);
    None without one: the turn then ends with the next message or the session."""
    try:
        import asyncio

        return asyncio.get_running_loop().call_later(seconds, fn)
    except Exception:
        return None
