"""One bounded HTTP request to MLflow, from the exporter's thread (never the app's). No retries
here: export.py decides when a batch is tried again. Uses http.client directly: urllib would
consult the app's proxy settings and openers, which are the app's business, not ours."""

import http.client
import socket
import ssl
from urllib.parse import urlsplit


class Failure(Exception):
    """MLflow could not be reached or did not answer; `refused` when nothing listens."""

    def __init__(self, message, refused=False):
        Exception.__init__(self, message)
        self.refused = refused


def request(method, url, headers, body=None, timeout=10.0):
    """(status, body text). Raises Failure when there is no HTTP answer."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            reply = conn.getresponse()
            return reply.status, reply.read().decode("utf-8", "replace")
        finally:
            conn.close()
    except ConnectionRefusedError:
        raise Failure("refused the connection", refused=True)
    except socket.timeout:
        raise Failure("did not answer within %d s" % timeout)
    except (OSError, http.client.HTTPException) as e:
        reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
        raise Failure("could not be reached (%s)" % reason, refused=isinstance(e, socket.gaierror))
