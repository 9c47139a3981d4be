"""Background interactions (`background=True`): one trace per run, whose root stays open from the
create until a call of this process sees the run finished, however far apart in the program those
calls are (the Node preload's backgroundRuns.ts; the shape is in src/inject/node/interactions.ts's
header). Its children are exported as they end, so MLflow holds the trace as IN_PROGRESS meanwhile;
a process that exits first exports the root with no status, tagged unfinished."""

import threading

from .calls import Runtime, capture
from .interaction_shape import ATTR_ID, ATTR_STATUS, TAG_UNFINISHED, failure, interaction_outputs, is_failed, is_running

MAX_OPEN = 1000  # runs watched at once; past it the oldest is let go as unfinished
_open = {}  # interaction id → BackgroundRun, oldest first
_lock = threading.Lock()


class BackgroundRun:
    __slots__ = ("root", "agent", "_last", "_watched")

    def __init__(self, root, agent):
        self.root = root
        self.agent = agent
        self._last = None  # the last interaction (JSON) a call of this run returned
        self._watched = False

    @staticmethod
    def of(id_):
        """The open run of this interaction, if this process started it."""
        return _open.get(id_) if isinstance(id_, str) else None

    def watch(self, id_):
        """The create returned the run's id: later calls with it join this trace."""
        oldest = None
        with _lock:
            if self.root.ended or id_ in _open:
                return
            if len(_open) >= MAX_OPEN:
                oldest = next(iter(_open.values()))
            _open[id_] = self
            self._watched = True
        if _abandon_all not in Runtime.finalizers:
            Runtime.finalizers.append(_abandon_all)
        if oldest is not None:
            oldest.abandon()

    def settle(self, interaction, err=None):
        """One of the run's calls ended, with the interaction it saw or its error. The root ends once
        the run has finished (or cannot be followed: the create failed, or never named the run)."""
        if self.root.ended:
            return
        if interaction is not None:
            self._last = interaction
        last = self._last or {}
        attrs = {}
        if isinstance(last.get("id"), str):
            attrs[ATTR_ID] = last["id"]
        if isinstance(last.get("status"), str):
            attrs[ATTR_STATUS] = last["status"]
        self.root.set(attrs)
        if not self._watched:
            if err is not None:
                self._close(lambda: self.root.fail(err, self._outputs))
            else:
                self._close(lambda: self.root.succeed(self._outputs))
            return
        status = last.get("status")
        if status is None or is_running(status):
            return
        if is_failed(status):
            self._close(lambda: self.root.fail(failure(last), self._outputs))
        else:
            self._close(lambda: self.root.succeed(self._outputs))

    def deleted(self):
        """The app deleted the interaction: nothing more will be seen of it."""
        if self.root.ended:
            return
        self.root.set({ATTR_STATUS: "deleted"})
        self._close(lambda: self.root.succeed(self._outputs))

    def abandon(self):
        """Exported as last seen, with no status, tagged unfinished."""
        def end():
            self.root.tag(TAG_UNFINISHED, "true")
            self.root.abandon(self._outputs)
        self._close(end)

    def _outputs(self):
        return interaction_outputs(self._last, capture()) if self._last is not None else None

    def _close(self, end):
        with _lock:
            for id_ in [i for i, r in _open.items() if r is self]:
                del _open[id_]
        end()


def _abandon_all():
    """At exit: runs the program never saw finish."""
    for run in {id(r): r for r in list(_open.values())}.values():
        run.abandon()
