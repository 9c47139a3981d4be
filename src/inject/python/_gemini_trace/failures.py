"""What can go wrong between the tracer and MLflow, and the one line that says so: whether a
failed request is worth trying again, and the wording (the Node preload's, src/inject/node/exporter.ts)."""

from urllib.parse import urlsplit

from . import net

MAX_SPANS = 2048  # the exporter's bound, named in the messages
SENDER_LINGER_S = 120  # how long the exit sender keeps trying (handoff.py)


class HttpStatus(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


def retryable(e):
    """Whether MLflow may take the same request later; bad credentials, a missing endpoint or a
    deleted experiment will not mend themselves."""
    if isinstance(e, net.Failure):
        return True
    return isinstance(e, HttpStatus) and (e.status in (408, 429) or e.status >= 500)


def excerpt(text):
    t = " ".join(text.split())
    return (t[:200] + "…") if len(t) > 200 else (t or "(empty body)")


def failure_message(cfg, e, retrying=False, reached_before=False):
    """One line that says what went wrong and how to fix it (the Node preload's wording)."""
    where = "MLflow at %s" % cfg.base_url
    held = "Gemini traces are held in memory (at most %d spans) and sent when it answers" % MAX_SPANS
    if not retrying:
        tail = "Gemini traces from this process are dropped."
    elif reached_before:
        tail = "%s, also for %d minutes after this process ends." % (held, SENDER_LINGER_S // 60)
    else:
        tail = "%s while this process runs." % held
    if cfg.unusable:
        return "[gemini-trace] %s. %s" % (cfg.unusable, tail)
    if isinstance(e, net.Failure) and e.refused:
        try:
            port = urlsplit(cfg.base_url).port or 5000
        except ValueError:
            port = 5000
        return (
            "[gemini-trace] %s %s — start it with `mlflow server --port %d` (VS Code: \"Gemini Trace: Start Local MLflow Server\") "
            "or point MLFLOW_TRACKING_URI at a running server. %s" % (where, e, port, tail)
        )
    if isinstance(e, HttpStatus) and e.status in (401, 403):
        return (
            "[gemini-trace] %s rejected the credentials (HTTP %d) — set MLFLOW_TRACKING_TOKEN or "
            "MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD (VS Code: \"Gemini Trace: Set MLflow Credentials…\"). %s" % (where, e.status, tail)
        )
    return "[gemini-trace] %s %s. %s" % (where, e, tail)
