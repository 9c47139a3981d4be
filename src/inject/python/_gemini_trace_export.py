"""How the shim's traces leave the process (loaded by _gemini_trace_shim).

MLflow's AsyncTraceExportQueue runs its uploads on non-daemon threads that Python joins at exit,
so an MLflow that stops answering would hold the program's exit for minutes. DaemonExportQueue
stands in for it (same put/flush/activate surface) with daemon threads, and at exit the program
waits for them at most EXIT_WAIT_S. Uploads still pending then (a slow or restarting MLflow, a
burst of calls at the end) are written to a private temp file and handed to a detached Python
process that runs them after the program is gone, with MLflow's own client: the program's exit
does not wait for MLflow, and its last traces are not lost.

When MLflow goes away mid-run (checked in test/unit/faults-inject.test.ts): each upload is retried
by MLflow's REST client (urllib3 back-off 2, 4, 8, 16… s, up to MLFLOW_HTTP_REQUEST_MAX_RETRIES,
7 by default) on these threads, so traces made while it was down arrive once it is back; the
queue is bounded (1000 uploads, then one warning and drops). A server that is down when the
program starts leaves the process untraced (see _gemini_trace_shim.setup).
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

EXIT_BUDGET_S = 1.5
"""Upper bound on what tracing adds to the program's exit."""
EXIT_WAIT_S = 0.5
"""How long exit waits for uploads in this process before handing the rest on."""
SENDER_LINGER_S = 180
"""The sender's hard limit (MLflow's client retries within it)."""

_queues = []
_exiting = False

SIGNAL_FILE = os.environ.get("GEMINI_TRACE_SIGNAL", "").strip()
"""Rewritten with the time in ms after each upload, so the Traces view asks MLflow for new traces
then instead of on every tick (ENV.signal in src/model/runTags.ts)."""
SIGNAL_GAP_S = 0.25
"""At most one write per gap: the view keeps polling a few seconds after a signal, so a skipped
write loses nothing."""
_signalled = [float("-inf")]  # monotonic time of the last write
_signal_lock = threading.Lock()


def _signal():
    """Best effort: a missing folder or a read-only disk only means the view polls on its own clock.
    Runs on an export worker, so a plain write never blocks the program."""
    if not SIGNAL_FILE:
        return
    try:
        with _signal_lock:
            now = time.monotonic()
            if now - _signalled[0] < SIGNAL_GAP_S:
                return
            _signalled[0] = now
        with open(SIGNAL_FILE, "w") as f:
            f.write(str(int(time.time() * 1000)))
    except Exception:
        pass


class DaemonExportQueue:
    workers = 4

    def __init__(self):
        self._reset()
        _queues.append(self)
        if len(_queues) == 1 and hasattr(os, "register_at_fork"):
            # A forked child has none of its parent's threads: give it fresh queues and workers.
            os.register_at_fork(after_in_child=lambda: [q._reset() for q in _queues])

    def _reset(self):
        import queue

        self._queue = queue.Queue(maxsize=1000)
        self._threads = []
        self._lock = threading.Lock()
        self._current = {}  # worker thread id -> the task it runs

    def is_active(self):
        return True

    def activate(self):
        pass

    def put(self, task):
        with self._lock:
            if len(self._threads) < self.workers and self._queue.unfinished_tasks >= len(self._threads):
                t = threading.Thread(target=self._work, name="GeminiTraceExport", daemon=True)
                t.start()
                self._threads.append(t)
        try:
            self._queue.put_nowait(task)
        except Exception:
            _warn("queue-full", "MLflow is not keeping up; some traces were dropped.")

    def _work(self):
        me = threading.get_ident()
        while True:
            task = self._queue.get()
            self._current[me] = task
            try:
                task.handle()  # MLflow's Task.handle logs and swallows its own errors
                _signal()
            except Exception:
                pass
            finally:
                self._current.pop(me, None)
                self._queue.task_done()

    def flush(self, terminate=False, timeout=None):
        """Waits until every queued upload is done (or `timeout` seconds); True when drained.
        At exit MLflow's own flush (no timeout) returns at once: exit waits here, bounded."""
        if _exiting and timeout is None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        q = self._queue
        with q.all_tasks_done:
            while q.unfinished_tasks:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                q.all_tasks_done.wait(left)
        return True

    def pending(self):
        return self._queue.unfinished_tasks

    def pending_tasks(self):
        """The uploads running now and those waiting, for the hand-off at exit."""
        with self._queue.mutex:
            waiting = list(self._queue.queue)
        return list(self._current.values()) + waiting


def install_daemon_export_queue():
    """Swaps our queue in for MLflow's trace exporter; returns a function that undoes it."""
    try:
        import mlflow.tracing.export.mlflow_v3 as v3

        original = v3.AsyncTraceExportQueue
        v3.AsyncTraceExportQueue = DaemonExportQueue

        def restore():
            v3.AsyncTraceExportQueue = original

        return restore
    except Exception:
        return lambda: None  # an MLflow without this seam keeps its own queue and exit behaviour


def _warn(key, message):
    """Replaced by the shim's warn_once (set_warn)."""


def set_warn(warn):
    global _warn
    _warn = warn


def flush_before_exit(where):
    """Hands the last spans to the uploads, waits for them at most EXIT_WAIT_S, and hands what is
    still pending to a sender process. `where` names the server in a warning."""
    global _exiting
    _exiting = True
    start = time.monotonic()

    def drain():
        try:
            import mlflow

            mlflow.flush_trace_async_logging(terminate=False)  # batch processors -> our queues
        except Exception:
            pass

    t = threading.Thread(target=drain, name="GeminiTraceExitFlush", daemon=True)
    t.start()
    t.join(EXIT_BUDGET_S)
    left = max(0.0, EXIT_WAIT_S - (time.monotonic() - start))
    if t.is_alive():
        _warn("exit-drop", "MLflow at %s: the last spans could not be handed to the uploader within %.1f s; they are dropped." % (where, EXIT_BUDGET_S))
    elif not all(q.flush(timeout=left) for q in _queues):
        tasks = [task for q in _queues for task in q.pending_tasks()]
        problem = _hand_off(tasks)
        if problem:
            _warn("exit-drop", "MLflow at %s did not take the last traces before exit and %s; %d upload(s) dropped." % (where, problem, len(tasks)))


# The sender: `python -c SENDER <file>`. It runs MLflow's own upload steps for each item, with
# MLflow's client retries, and ends within SENDER_LINGER_S whatever happens.
SENDER = r"""
import json, os, shutil, sys, threading
path = sys.argv[1]
try:
    with open(path, encoding="utf-8") as f:
        items = json.load(f)
finally:
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
limit = threading.Timer(float(os.environ.get("GEMINI_TRACE_SENDER_LINGER_S", "180")), lambda: os._exit(0))
limit.daemon = True
limit.start()
from mlflow.entities import Span, Trace
from mlflow.tracing.export.mlflow_v3 import MlflowV3SpanExporter
exporter = MlflowV3SpanExporter()
# Trace records (with their tags) before spans: a reader that sees a trace's spans then sees it whole.
items.sort(key=lambda item: item["kind"] != "trace")
for item in items:
    try:
        if item["kind"] == "spans":
            exporter._log_spans(item["experiment_id"], [Span.from_dict(s) for s in item["spans"]], item.get("workspace"))
        else:
            exporter._log_trace(Trace.from_dict(item["trace"]), [], item.get("workspace"))
    except Exception:
        pass
signal = os.environ.get("GEMINI_TRACE_SIGNAL", "").strip()
if signal:  # as the app's uploader does (_signal): the Traces view asks MLflow now
    try:
        import time
        with open(signal, "w") as f:
            f.write(str(int(time.time() * 1000)))
    except Exception:
        pass
os._exit(0)
"""


def _serialize(task):
    """One of MLflow's upload tasks as JSON, or None for a kind we do not know."""
    name = getattr(getattr(task, "handler", None), "__name__", "")
    args = list(getattr(task, "args", ()))
    if name == "_log_spans" and len(args) >= 2:
        return {"kind": "spans", "experiment_id": args[0], "spans": [s.to_dict() for s in args[1]], "workspace": args[2] if len(args) > 2 else None}
    if name == "_log_trace" and args:
        # Prompt links (args[1]) are not carried over: Gemini autolog records none.
        return {"kind": "trace", "trace": args[0].to_dict(), "workspace": args[2] if len(args) > 2 else None}
    return None


def _hand_off(tasks):
    """Starts the sender for these tasks; returns why it could not, or None."""
    try:
        items = [i for i in (_serialize(t) for t in tasks) if i is not None]
        if not items:
            return None
        folder = tempfile.mkdtemp(prefix="gemini-trace-")  # 0700
        path = os.path.join(folder, "uploads.json")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(items, f)
        env = dict(os.environ)
        env.update({
            "GEMINI_TRACE_ACTIVE": "0",  # our sitecustomize stays out of the sender
            "MLFLOW_ENABLE_ASYNC_TRACE_LOGGING": "false",
            "GEMINI_TRACE_SENDER_LINGER_S": str(SENDER_LINGER_S),
        })
        kwargs = {"start_new_session": True} if os.name == "posix" else {"creationflags": 0x00000008 | 0x08000000}  # DETACHED_PROCESS | CREATE_NO_WINDOW
        try:
            subprocess.Popen(
                [sys.executable, "-c", SENDER, path],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=env, close_fds=True, **kwargs,
            )
        except Exception:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)  # the uploads must not stay behind on disk
            raise
        return None
    except Exception as e:
        return "they could not be handed on (%s: %s)" % (type(e).__name__, e)
