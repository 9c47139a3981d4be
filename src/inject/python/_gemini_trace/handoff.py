"""The spans a process still holds when it ends go to a small detached Python process that
delivers them after the app is gone (as the Node preload's handoff.ts does), so neither a slow
MLflow, a burst of calls at the end, nor a restart of MLflow costs the app exit time or loses its
last traces.
- The spans go, already encoded, into a file in a fresh private temp directory (0700/0600); the
  sender deletes it as soon as it has read it. Credentials are not written there: they reach the
  sender in its environment, as they reached the app.
- The sender is `python -I -S`: no site, no PYTHON* variables, so neither our sitecustomize nor
  anything of the app's loads into it; it needs only the standard library. No stdio: it never
  writes to the app's terminal. It retries with a capped back-off and gives up once MLflow has
  taken nothing for SENDER_LINGER_S.
- MLflow upserts spans by id, so a span sent twice (its first request's answer was lost with the
  process) is stored once."""

import json
import os
import subprocess
import sys
import tempfile

from . import otlp
from .failures import SENDER_LINGER_S

BATCH = 256
AUTH_ENV = "GEMINI_TRACE_SENDER_AUTH"

SENDER = r"""
import http.client, json, os, shutil, ssl, sys, time
from urllib.parse import quote, urlsplit
path = sys.argv[1]
try:
    with open(path, "rb") as f:
        data = f.read()
finally:
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
nl = data.index(b"\n")
h = json.loads(data[:nl].decode("utf-8"))
at, bodies = nl + 1, []
for n in h["sizes"]:
    bodies.append(data[at:at + n])
    at += n
auth = json.loads(os.environ.get("%(auth)s") or "{}")
deadline = time.monotonic() + h["linger"]
class Retry(Exception):
    pass
def call(method, p, headers, body=None):
    left = deadline - time.monotonic()
    if left <= 0:
        raise SystemExit(0)
    u = urlsplit(h["base"] + p)
    try:
        if u.scheme == "https":
            c = http.client.HTTPSConnection(u.hostname, u.port, timeout=min(60, left), context=ssl.create_default_context())
        else:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=min(60, left))
        c.request(method, (u.path or "/") + ("?" + u.query if u.query else ""), body=body, headers=headers)
        r = c.getresponse()
        status, text = r.status, r.read().decode("utf-8", "replace")
        c.close()
    except Exception as e:
        raise Retry(str(e))
    if status in (408, 429) or status >= 500:
        raise Retry("HTTP %%d" %% status)
    return status, text
def by_name():
    s, t = call("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=" + quote(h["name"], safe=""), auth)
    return json.loads(t)["experiment"]["experiment_id"] if s == 200 else None
def experiment():
    if not h.get("name"):
        return "0"
    found = by_name()
    if found:
        return found
    s, t = call("POST", "/api/2.0/mlflow/experiments/create", dict(auth, **{"content-type": "application/json"}), json.dumps({"name": h["name"]}).encode())
    if s == 200:
        return json.loads(t)["experiment_id"]
    # The app's own exporter (or another process) created it between the lookup and the create.
    found = "RESOURCE_ALREADY_EXISTS" in t and by_name()
    if found:
        return found
    raise SystemExit(0)
eid, wait = h.get("id"), 0.5
for body in bodies:
    while True:
        try:
            eid = eid or experiment()
            call("POST", "/v1/traces", dict(auth, **{"content-type": "application/x-protobuf", "x-mlflow-experiment-id": eid}), body)
            wait, deadline = 0.5, time.monotonic() + h["linger"]
            if h.get("signal"):
                try:
                    with open(h["signal"], "w") as f:
                        f.write(str(int(time.time() * 1000)))
                except Exception:
                    pass
            break
        except Retry:
            if time.monotonic() + wait >= deadline:
                raise SystemExit(0)
            time.sleep(wait)
            wait = min(wait * 2, 5.0)
# Traces whose root is the app's own span get their run tags by request (export.py _tag_joined).
for trace_id in h.get("joined") or []:
    for key, value in (h.get("tags") or {}).items():
        try:
            call("PATCH", "/api/2.0/mlflow/traces/%%s/tags" %% trace_id, dict(auth, **{"content-type": "application/json"}), json.dumps({"key": key, "value": value}).encode())
        except Retry:
            pass
""" % {"auth": AUTH_ENV}


def hand_off(spans, cfg, experiment_id):
    """Writes the spans out and starts the sender; returns at once. Raises if it could not."""
    bodies = [otlp.encode(spans[i:i + BATCH], cfg.run_tags) for i in range(0, len(spans), BATCH)]
    if not bodies or not sys.executable:
        if bodies:
            raise RuntimeError("no Python executable to start a sender with")
        return
    header = {
        "base": cfg.base_url, "id": experiment_id, "name": cfg.experiment_name, "signal": cfg.signal_file,
        "sizes": [len(b) for b in bodies], "linger": SENDER_LINGER_S,
        "joined": sorted({"tr-%032x" % s.trace_id for s in spans if s.joined}), "tags": cfg.run_tags,
    }
    folder = tempfile.mkdtemp(prefix="gemini-trace-")  # 0700
    path = os.path.join(folder, "spans.bin")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(header).encode("utf-8") + b"\n")
            for b in bodies:
                f.write(b)
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "SYSTEMROOT", "SSL_CERT_FILE", "SSL_CERT_DIR", "TMPDIR", "TEMP", "TMP")}
        env[AUTH_ENV] = json.dumps({k: v for k, v in cfg.headers.items() if k.lower() == "authorization"})
        env["GEMINI_TRACE_ACTIVE"] = "0"
        if os.name == "posix":
            kwargs = {"start_new_session": True}
        else:
            kwargs = {"creationflags": 0x00000008 | 0x08000000}  # DETACHED_PROCESS | CREATE_NO_WINDOW
        subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", SENDER, path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, close_fds=True, **kwargs
        )
    except Exception:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)  # the spans must not stay behind on disk
        raise
