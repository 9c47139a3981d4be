"""What the tracer reads from its environment, resolved once: the same variables, meanings and
defaults as the Node preload (src/inject/node/config.ts; names in src/shared/runTags.ts `ENV`).
Credentials go only into request headers, never into spans or URLs."""

import base64
import os
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_URI = "http://127.0.0.1:5000"
RUN_TAGS = (
    ("GEMINI_TRACE_RUN_ID", "gemini_trace.run_id"),
    ("GEMINI_TRACE_RUN_NAME", "gemini_trace.run_name"),
    ("GEMINI_TRACE_RUN_STARTED", "gemini_trace.run_started"),
    ("GEMINI_TRACE_WORKSPACE", "gemini_trace.workspace"),
)
_OFF = ("false", "0", "no", "off")


class Config:
    def __init__(self, base_url, headers, experiment_id, experiment_name, capture, run_tags, signal_file, unusable):
        self.base_url = base_url  # http(s)://host[:port][/prefix], no trailing slash, no user info
        self.headers = headers  # auth headers for every MLflow request
        self.experiment_id = experiment_id
        self.experiment_name = experiment_name
        self.capture = capture  # False: prompts and responses stay out of traces
        self.run_tags = run_tags  # trace tags every root span carries
        self.signal_file = signal_file  # rewritten after each accepted upload (export.py)
        self.unusable = unusable  # why nothing can be exported (a file: tracking URI, …), or None


def _basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


def read_config(env=None):
    env = os.environ if env is None else env
    get = lambda k: (env.get(k) or "").strip()  # noqa: E731
    headers = {}
    unusable = None
    uri = get("MLFLOW_TRACKING_URI") or DEFAULT_URI

    if uri == "databricks" or uri.startswith("databricks://"):
        host, token = get("DATABRICKS_HOST"), get("DATABRICKS_TOKEN")
        if not host or not token:
            unusable = 'MLFLOW_TRACKING_URI is "%s" but DATABRICKS_HOST and DATABRICKS_TOKEN are not both set' % uri
        uri = (host if host.lower().startswith(("http://", "https://")) else "https://" + host) if host else DEFAULT_URI
        if token:
            headers["authorization"] = "Bearer " + token
    elif not uri.lower().startswith(("http://", "https://")):
        unusable = (
            'MLFLOW_TRACKING_URI "%s" is not an http(s) server; Gemini traces need a tracking server '
            "(start one with `mlflow server --port 5000`)" % uri
        )
        uri = DEFAULT_URI

    base_url = uri.rstrip("/")
    try:
        parts = urlsplit(uri)
        if not parts.hostname:
            raise ValueError("no host")
        if parts.username is not None or parts.password is not None:
            # Keep user info out of URLs (and so out of every message that names the server).
            headers.setdefault("authorization", _basic(unquote(parts.username or ""), unquote(parts.password or "")))
            netloc = parts.hostname if ":" not in parts.hostname else "[%s]" % parts.hostname
            if parts.port:
                netloc += ":%d" % parts.port
            parts = parts._replace(netloc=netloc)
        base_url = urlunsplit(parts).rstrip("/")
    except ValueError:
        unusable = unusable or 'MLFLOW_TRACKING_URI "%s" is not a valid URL' % uri

    token = get("MLFLOW_TRACKING_TOKEN")
    user = env.get("MLFLOW_TRACKING_USERNAME")
    if token:
        headers["authorization"] = "Bearer " + token
    elif user and "authorization" not in headers:
        headers["authorization"] = _basic(user, env.get("MLFLOW_TRACKING_PASSWORD") or "")

    run_tags = {"gemini_trace.runtime": "python"}
    for var, tag in RUN_TAGS:
        if get(var):
            run_tags[tag] = get(var)

    return Config(
        base_url=base_url,
        headers=headers,
        experiment_id=get("MLFLOW_EXPERIMENT_ID") or None,
        experiment_name=get("MLFLOW_EXPERIMENT_NAME") or None,
        capture=get("GEMINI_TRACE_CAPTURE_CONTENT").lower() not in _OFF,
        run_tags=run_tags,
        signal_file=get("GEMINI_TRACE_SIGNAL") or None,
        unusable=unusable,
    )
