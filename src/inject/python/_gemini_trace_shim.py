"""Turns MLflow tracing on for google-genai inside the user's Python process (loaded by our
sitecustomize the moment the program imports `google.genai`).

What it adds to `mlflow.gemini.autolog()`: the run tags of src/model/runTags.ts on every trace,
the program's call site (code.filepath/lineno/function) on every Gemini span, streaming calls
(see _gemini_trace_spans), GEMINI_TRACE_CAPTURE_CONTENT=false, and an exit that never waits on
MLflow (see _gemini_trace_export). Any failure here turns tracing off, never the program.
"""

import atexit
import os
import sys

# The server already accepted a TCP connection (see _refused), so a slow first answer is worth waiting for.
SETUP_TIMEOUT_S = 10
RUN_TAGS = {
    "GEMINI_TRACE_RUN_ID": "gemini_trace.run_id",
    "GEMINI_TRACE_RUN_NAME": "gemini_trace.run_name",
    "GEMINI_TRACE_RUN_STARTED": "gemini_trace.run_started",
    "GEMINI_TRACE_WORKSPACE": "gemini_trace.workspace",
}
CODE_FILEPATH, CODE_LINENO, CODE_FUNCTION = "code.filepath", "code.lineno", "code.function"
INPUTS, OUTPUTS, USAGE, FORMAT = "mlflow.spanInputs", "mlflow.spanOutputs", "mlflow.chat.tokenUsage", "mlflow.message.format"

_done = False
_warned = set()


def warn_once(key, message):
    if key in _warned:
        return
    _warned.add(key)
    try:
        sys.stderr.write("gemini-trace: %s\n" % message)
        sys.stderr.flush()
    except Exception:
        pass


def _flag(name, default=True):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value not in ("0", "false", "no", "off")


def setup():
    global _done
    if _done:
        return
    _done = True
    # Before paying for `import mlflow` (seconds), make sure a server listens at all: a stopped
    # MLflow must leave the program's run time as it was.
    refused = _refused(os.environ.get("MLFLOW_TRACKING_URI", ""))
    if refused:
        warn_once("mlflow-down", "%s; Gemini calls in this process are not traced." % refused)
        return
    try:
        import mlflow  # noqa: F401  (the user's own; we never bundle one)
        import mlflow.gemini  # noqa: F401
    except ImportError as e:
        if getattr(e, "name", None) == "mlflow":
            warn_once(
                "no-mlflow",
                "mlflow is not installed in %s, so Gemini calls are not traced; install it with: "
                '"%s" -m pip install mlflow' % (sys.executable, sys.executable),
            )
        else:
            warn_once("bad-mlflow", "mlflow could not be imported (%s), so Gemini calls are not traced." % _short(e))
        return
    # Lower MLflow's span batching delay (default 5 s) so a trace is readable soon after the call,
    # unless the user chose a value.
    os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS", "300")
    uri = _tracking_uri()
    # Before anything can create MLflow's exporter (set_experiment may), so it gets our queue.
    import _gemini_trace_export

    _gemini_trace_export.set_warn(warn_once)
    restore_queue = _gemini_trace_export.install_daemon_export_queue()
    problem = _select_experiment(uri)
    if problem:
        restore_queue()
        warn_once("mlflow-down", "%s; Gemini calls in this process are not traced." % problem)
        return
    _install_span_processor()
    mlflow.gemini.autolog(silent=True)
    import _gemini_trace_spans

    _gemini_trace_spans.patch(autolog_enabled)
    atexit.register(_flush_before_exit)


def _refused(uri):
    """A message when nothing listens at an http(s) tracking URI (one TCP connect, 1 s at most)."""
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(uri.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    try:
        socket.create_connection((parts.hostname, port), timeout=1.0).close()
        return None
    except OSError as e:
        return "MLflow at %s cannot be reached (%s) — start it (e.g. `mlflow server --port %d`) or fix MLFLOW_TRACKING_URI" % (
            _redact(uri), e.strerror or e, port)


def autolog_enabled():
    """False when the user turned Gemini autologging off after us (mlflow.gemini.autolog(disable=True))."""
    try:
        from mlflow.utils.autologging_utils import autologging_is_disabled

        return not autologging_is_disabled("gemini")
    except Exception:
        return True


def _tracking_uri():
    import mlflow

    try:
        return mlflow.get_tracking_uri()
    except Exception:
        return os.environ.get("MLFLOW_TRACKING_URI", "")


def _select_experiment(uri):
    """Selects (creating if needed) the experiment from the env with one quick request and no
    retries. Returns a message when MLflow cannot be used, else None."""
    import mlflow
    from mlflow.tracking import fluent

    if getattr(fluent, "_active_experiment_id", None):
        return None  # the program chose its experiment itself before importing google.genai
    import logging

    # MLflow logs "Experiment ... does not exist. Creating a new experiment." at INFO: not the
    # program's output, keep it off its stderr.
    fluent_log = logging.getLogger("mlflow.tracking.fluent")
    saved_level = fluent_log.level
    fluent_log.setLevel(logging.WARNING)
    saved = {k: os.environ.get(k) for k in ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT")}
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(SETUP_TIMEOUT_S)
    try:
        experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID", "").strip()
        name = os.environ.get("MLFLOW_EXPERIMENT_NAME", "").strip()
        client = mlflow.MlflowClient()
        if experiment_id:
            client.get_experiment(experiment_id)
            mlflow.set_experiment(experiment_id=experiment_id)
        elif name:
            try:
                exp = mlflow.set_experiment(name)
            except Exception:
                # Another process may have created it between our lookup and create.
                if client.get_experiment_by_name(name) is None:
                    raise
                exp = mlflow.set_experiment(name)
            # When another process creates the experiment at the same moment, MLflow 3.17's
            # set_experiment returns it without making it active: make sure it is.
            if exp is not None and getattr(fluent, "_active_experiment_id", None) != exp.experiment_id:
                mlflow.set_experiment(experiment_id=exp.experiment_id)
        else:
            client.search_experiments(max_results=1)  # reachability only: traces go to Default
        return None
    except Exception as e:
        return "MLflow at %s cannot be used (%s)" % (_redact(uri), _short(e))
    finally:
        fluent_log.setLevel(saved_level)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _redact(uri):
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        return "%s://***@%s" % (scheme, rest.split("@", 1)[1])
    return uri


def _short(e):
    text = str(e).strip().splitlines()
    text = text[-1] if text else type(e).__name__
    return (text[:200] + "…") if len(text) > 200 else text


# ---- export: see _gemini_trace_export --------------------------------------------------------------


def _flush_before_exit():
    """Exit: the last uploads get EXIT_WAIT_S here, the rest go to a sender process."""
    import _gemini_trace_export

    _gemini_trace_export.flush_before_exit(_redact(_tracking_uri()))
    # `import mlflow` grows the heap by a few hundred thousand objects, and the interpreter's final
    # garbage collections walk them all (measured: seconds of exit time on a busy machine). At exit
    # nothing needs that memory back, so move today's objects out of the collector's sight.
    # Objects still alive are torn down by reference counting as usual.
    try:
        import gc

        gc.freeze()
    except Exception:
        pass


# ---- the span processor: tags, call site, content policy ----------------------------------------


def _install_span_processor():
    import mlflow
    from mlflow.tracing.config import get_config

    tags = {tag: os.environ[env].strip() for env, tag in RUN_TAGS.items() if os.environ.get(env, "").strip()}
    tags["gemini_trace.runtime"] = "python"
    capture = _flag("GEMINI_TRACE_CAPTURE_CONTENT", True)
    import _gemini_trace_spans

    user_frame = _gemini_trace_spans.first_user_frame

    def gemini_trace_span_processor(span):
        if span.get_attribute(FORMAT) == "gemini":
            if span.get_attribute(CODE_FILEPATH) is None:
                frame = user_frame()
                if frame is not None:
                    span.set_attribute(CODE_FILEPATH, frame[0])
                    span.set_attribute(CODE_LINENO, frame[1])
                    span.set_attribute(CODE_FUNCTION, frame[2])
            _add_thoughts_tokens(span)
        if not capture:
            _drop(span, INPUTS)
            _drop(span, OUTPUTS)
        if span.parent_id is None:
            _tag_trace(span.trace_id, tags)

    existing = list(getattr(get_config(), "span_processors", None) or [])
    mlflow.tracing.configure(span_processors=existing + [gemini_trace_span_processor])


def _add_thoughts_tokens(span):
    """Keeps thinking tokens in mlflow.chat.tokenUsage, as the Node preload does (MLflow's
    Gemini autolog reads only prompt/candidates/total/cached)."""
    usage = span.get_attribute(USAGE)
    outputs = span.get_attribute(OUTPUTS)
    if not isinstance(usage, dict) or "thoughts_tokens" in usage or not isinstance(outputs, dict):
        return
    meta = outputs.get("usage_metadata") or {}
    thoughts = meta.get("thoughts_token_count") if isinstance(meta, dict) else None
    if isinstance(thoughts, int):
        span.set_attribute(USAGE, dict(usage, thoughts_tokens=thoughts))


def _drop(span, key):
    try:
        del span._span._attributes[key]  # absent, not "null": the explorer shows "not captured"
    except KeyError:
        pass
    except Exception:
        span.set_attribute(key, None)


def _tag_trace(trace_id, tags):
    from mlflow.tracing.trace_manager import InMemoryTraceManager

    with InMemoryTraceManager.get_instance().get_trace(trace_id) as trace:
        if trace is not None:
            for k, v in tags.items():
                trace.info.tags.setdefault(k, v)
