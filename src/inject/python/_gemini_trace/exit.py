"""Getting the last spans out when the program ends, without holding its exit (the Node
preload's exit.ts): at interpreter exit, calls still open are closed as interrupted, the exporter
gets one attempt at everything it holds (skipping its back-off) for at most EXIT_WAIT_S, and
what it still holds then goes to a detached sender (handoff.py). Nothing is handed on when MLflow
has not answered once in this process and is failing now: the warning said traces are dropped.
os._exit() skips this, as it skips every atexit handler."""

import atexit
import os

from . import calls, handoff

EXIT_WAIT_S = 0.5


def install(exporter, warn):
    def at_exit():
        spans = []
        try:
            for call in list(calls.Runtime.live):
                call.interrupt()
            if exporter.cfg.unusable:
                return
            spans = exporter.flush(EXIT_WAIT_S)
            if not spans or (not exporter.answered and exporter.is_down()):
                return
            handoff.hand_off(spans, exporter.cfg, exporter.experiment_id)
        except Exception as e:
            try:
                warn("[gemini-trace] the last %d span(s) could not be handed on as the process exited (%s); they are dropped." % (len(spans), e), "exit")
            except Exception:
                pass

    atexit.register(at_exit)
    if hasattr(os, "register_at_fork"):
        # A forked child finishes none of its parent's calls: they are the parent's to close.
        os.register_at_fork(after_in_child=calls.Runtime.live.clear)
