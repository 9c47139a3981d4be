"""Sends finished spans to MLflow's OTLP endpoint (`POST <tracking URI>/v1/traces`, protobuf,
header `x-mlflow-experiment-id`) from one daemon thread, so the app's calls never wait for MLflow
and its exit is never held by it (exit.py hands what is left to a sender). As on the Node side
(exporter.ts, outbox.ts):
- batched: spans that end within DELAY_S go out in one request;
- bounded: at most MAX_SPANS spans or about MAX_BYTES of attributes are held; past either the
  oldest go, with one note on stderr;
- back-off while MLflow is away (refused, reset, timeout, 408, 429, 5xx): the batch stays, one
  probe at a time after 0.5, 1, 2, 4, 5, 5… s, so a restarted MLflow gets everything held since
  it went down, each span once; a 413 halves the batch instead;
- the experiment is looked up (and created) on this thread, never on the app's;
- after each accepted upload, a trace whose root is still open (a background run, a Live session)
  is named over REST, once (open_roots.py), and the signal file is rewritten, so the Traces view
  asks MLflow now and lists it named."""

import collections
import json
import os
import threading
import time
from urllib.parse import quote

from . import net, open_roots, otlp
from .failures import MAX_SPANS, HttpStatus, excerpt as _excerpt, failure_message, retryable as _retryable

MAX_BYTES = 64 * 1024 * 1024
MAX_BATCH = 512
MIN_BACKOFF_S, MAX_BACKOFF_S = 0.5, 5.0
REQUEST_TIMEOUT_S = 10.0
SIGNAL_GAP_S = 0.25


def _delay():
    """OTEL_BSP_SCHEDULE_DELAY (ms) as the OpenTelemetry SDKs read it; 200 ms by default, short
    enough for a trace to be readable within a second of the call, long enough to batch a burst."""
    try:
        ms = float(os.environ.get("OTEL_BSP_SCHEDULE_DELAY", ""))
        return ms / 1000.0 if ms > 0 else 0.2
    except ValueError:
        return 0.2


class Exporter:
    def __init__(self, cfg, warn):
        self.cfg = cfg
        self.warn = warn
        self.delay = _delay()
        self.experiment_id = cfg.experiment_id
        self.answered = False  # MLflow gave any HTTP answer to this process
        self.failing = False  # the last request failed and none has succeeded since
        self._last_signal = float("-inf")
        self._reset()
        if hasattr(os, "register_at_fork"):
            # A forked child has none of its parent's threads, and may inherit a held lock.
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        self.cond = threading.Condition()
        self.queue = collections.deque()  # oldest first; a span stays until it has left for good
        self.bytes = 0
        self.thread = None
        self.backoff = 0.0
        self.batch_limit = MAX_BATCH

    # ---- the app's side: cheap, never blocks on I/O ------------------------------------------

    def start(self):
        """Starts the thread, which resolves the experiment ahead of the first export (at the
        first Gemini call, so a program that never makes one never talks to MLflow)."""
        if self.cfg.unusable:
            self.warn(failure_message(self.cfg, None), "mlflow")
            return
        if self.thread is None:
            with self.cond:
                if self.thread is None:
                    self.thread = threading.Thread(target=self._run, name="gemini-trace-export", daemon=True)
                    self.thread.start()

    def add(self, span):
        if self.cfg.unusable:
            return
        with self.cond:
            idle = not self.queue
            self.queue.append(span)
            self.bytes += span.size
            self._trim()
            if idle:
                # Only an empty queue has the thread waiting for a span; once it has one it waits
                # out the batch delay, and a wake-up per span (an ADK step ends three or four)
                # would only make it take the GIL from the program to go back to sleep.
                self.cond.notify()
        if self.thread is None:
            self.start()

    def held(self):
        with self.cond:
            return list(self.queue)

    def is_down(self):
        return bool(self.cfg.unusable) or self.failing

    # ---- the thread ------------------------------------------------------------------------

    def _run(self):
        try:
            self._experiment()
        except Exception as e:
            self._failed(e)
        while True:
            try:
                batch = self._next_batch()
                verdict = self._attempt(batch)
                self._settle(batch, verdict)
            except Exception:
                time.sleep(MAX_BACKOFF_S)  # never spin, never die

    def _next_batch(self):
        with self.cond:
            while True:
                while not self.queue:
                    self.cond.wait()
                wait = self.backoff if self.backoff else self.delay
                if len(self.queue) >= self.batch_limit and not self.backoff:
                    wait = 0
                deadline = time.monotonic() + wait
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.cond.wait(left)
                if self.queue:
                    return [self.queue[i] for i in range(min(self.batch_limit, len(self.queue)))]

    def _attempt(self, batch):
        """'sent', 'retry', 'split' or 'drop'. Never raises."""
        try:
            experiment = self._experiment()
            status, text = net.request(
                "POST", self.cfg.base_url + "/v1/traces",
                dict(self.cfg.headers, **{"content-type": "application/x-protobuf", "x-mlflow-experiment-id": experiment}),
                otlp.encode(batch, self.cfg.run_tags), REQUEST_TIMEOUT_S,
            )
            self.answered = True
            if status == 413 and len(batch) > 1:
                return "split"
            if not 200 <= status <= 299:
                raise HttpStatus(status, "answered HTTP %d to POST /v1/traces: %s" % (status, _excerpt(text)))
            self.failing = False
            self._tag_joined(batch)
            self._name_open_traces(batch)
            self._signal()
            return "sent"
        except Exception as e:
            retry = _retryable(e)
            self._failed(e, retry)
            return "retry" if retry else "drop"

    def _settle(self, batch, verdict):
        with self.cond:
            if verdict == "split":
                self.batch_limit = max(1, len(batch) // 2)
            elif verdict == "retry":
                self.backoff = min(self.backoff * 2, MAX_BACKOFF_S) if self.backoff else MIN_BACKOFF_S
            else:
                gone = set(map(id, batch))
                kept = [s for s in self.queue if id(s) not in gone]
                self.queue = collections.deque(kept)
                self.bytes = sum(s.size for s in kept)
                # Taken: MLflow is back, what waited for the back-off goes now. Refused for good:
                # the next batch still waits the longest back-off, so a misconfigured server is not hammered.
                self.backoff = 0.0 if verdict == "sent" else MAX_BACKOFF_S
            self.cond.notify_all()

    def _trim(self):
        dropped = 0
        while len(self.queue) > MAX_SPANS or (self.bytes > MAX_BYTES and len(self.queue) > 1):
            self.bytes -= self.queue.popleft().size
            dropped += 1
        if dropped:
            self.warn(
                "[gemini-trace] MLflow at %s has not taken Gemini traces for a while: the oldest spans held in memory "
                "are being dropped (at most %d are kept). Newer ones are still kept and sent when it answers." % (self.cfg.base_url, MAX_SPANS),
                "overflow",
            )

    # ---- MLflow's REST API -------------------------------------------------------------------

    def _experiment(self):
        if self.experiment_id:
            return self.experiment_id
        name = self.cfg.experiment_name
        if not name:
            self.experiment_id = "0"  # MLflow's "Default" experiment
            return "0"
        found = self._by_name(name)
        if found is None:
            status, text = self._rest("POST", "/api/2.0/mlflow/experiments/create", '{"name": %s}' % json.dumps(name))
            if status == 200:
                found = str(json.loads(text)["experiment_id"])
            elif "RESOURCE_ALREADY_EXISTS" in text:  # another process created it meanwhile
                found = self._by_name(name)
            if found is None:
                raise HttpStatus(status, 'could not create experiment "%s" (HTTP %d: %s)' % (name, status, _excerpt(text)))
        self.experiment_id = found
        return found

    def _by_name(self, name):
        status, text = self._rest("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=" + quote(name, safe=""))
        if status == 404 or "RESOURCE_DOES_NOT_EXIST" in text:
            return None
        if status != 200:
            raise HttpStatus(status, 'could not look up experiment "%s" (HTTP %d: %s)' % (name, status, _excerpt(text)))
        exp = json.loads(text).get("experiment") or {}
        if exp.get("lifecycle_stage") == "deleted":
            raise HttpStatus(400, 'experiment "%s" is deleted — restore it in the MLflow UI or pick another name' % name)
        return str(exp["experiment_id"])

    def _rest(self, method, path, body=None):
        headers = dict(self.cfg.headers)
        if body is not None:
            headers["content-type"] = "application/json"
        result = net.request(method, self.cfg.base_url + path, headers, body.encode("utf-8") if body else None, REQUEST_TIMEOUT_S)
        self.answered = True
        return result

    def _tag_joined(self, batch):
        """A trace whose root is the app's own span (otel.py) gets its run tags by request: MLflow
        turns `mlflow.traceTag.*` attributes into tags on root spans only. Best effort."""
        for span in batch:
            if not span.joined:
                continue
            path = "/api/2.0/mlflow/traces/tr-%032x/tags" % span.trace_id
            for key, value in self.cfg.run_tags.items():
                try:
                    self._rest("PATCH", path, json.dumps({"key": key, "value": value}))
                except Exception:
                    return

    def _name_open_traces(self, batch):
        """MLflow now holds spans of these traces: those whose root is still open get their name and
        the tags known so far, one request per tag. Best effort: the root names them again later."""
        for trace_id, tags in open_roots.take_unnamed(span.trace_id for span in batch):
            path = "/api/2.0/mlflow/traces/tr-%032x/tags" % trace_id
            for key, value in tags.items():
                try:
                    self._rest("PATCH", path, json.dumps({"key": key, "value": value}))
                except Exception:
                    break

    def _failed(self, e, retrying=True):
        self.failing = True
        self.warn(failure_message(self.cfg, e, retrying, self.answered), "mlflow")

    def _signal(self):
        """Best effort: a missing folder or a read-only disk only means the view polls on its own clock."""
        now = time.monotonic()
        if not self.cfg.signal_file or now - self._last_signal < SIGNAL_GAP_S:
            return
        self._last_signal = now
        try:
            with open(self.cfg.signal_file, "w") as f:
                f.write(str(int(time.time() * 1000)))
        except Exception:
            pass
