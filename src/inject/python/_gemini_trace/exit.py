"""Getting the last spans out when the program ends, without holding its exit: at interpreter
exit, the surfaces' own finalizers run first (a background run the program never saw finish is
exported unfinished, a Live session still open ends as "exit"), calls still open are closed as
interrupted, and whatever the exporter still holds (spans waiting for the next batch, a batch in
flight, spans held while MLflow was away) goes at once to a detached sender (handoff.py), which
delivers it after the program is gone. The program pays for a file write and a process start,
never for MLflow's answer (a request in flight may then arrive twice: MLflow stores a span by its
id, once). Nothing is handed on when MLflow has not answered
once in this process and is failing now: the warning said traces are dropped.
os._exit() skips this, as it skips every atexit handler."""

import atexit
import os

from . import calls, handoff


def install(exporter, warn):
    def at_exit():
        spans = []
        try:
            for finalize in list(calls.Runtime.finalizers):
                try:
                    finalize()
                except Exception:
                    pass
            for call in list(calls.Runtime.live):
                call.interrupt()
            spans = exporter.held()
            if not spans or exporter.cfg.unusable or (not exporter.answered and exporter.is_down()):
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
