"""Where a google-genai models.* call goes, as the SDK resolves it (the Node preload's
endpointAttributes in client.ts): gemini.api.base_url (the base URL without credentials, query,
fragment or trailing slash) and gemini.api.version, a call's http_options winning over the
client's, so a replay goes to the same place (a proxy, a regional endpoint, v1 or v1beta)."""

from urllib.parse import urlsplit, urlunsplit


def _field(o, snake, camel):
    if isinstance(o, dict):
        v = o.get(snake)
        return o.get(camel) if v is None else v
    return getattr(o, snake, None)


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_endpoints = {}  # (base url, version) → the attributes: a program talks to a handful


def endpoint(models, cfg):
    """{gemini.api.base_url, gemini.api.version} of a call through `models` (Models or
    AsyncModels) with this config: the config's http_options over the client's. Never raises."""
    try:
        opts = getattr(getattr(models, "_api_client", None), "_http_options", None)
        base, version = getattr(opts, "base_url", None), getattr(opts, "api_version", None)
        http = _field(cfg, "http_options", "httpOptions") if cfg is not None else None
        if http is not None:
            b, v = _field(http, "base_url", "baseUrl"), _field(http, "api_version", "apiVersion")
            base = b if isinstance(b, str) else base
            version = v if isinstance(v, str) else version
        key = (base, version)
        attrs = _endpoints.get(key)
        if attrs is None:
            attrs = {}
            if isinstance(base, str) and base:
                attrs["gemini.api.base_url"] = _bare_url(base)
            if isinstance(version, str) and version:
                attrs["gemini.api.version"] = version
            if len(_endpoints) < 64:
                _endpoints[key] = attrs
        return attrs
    except Exception:
        return {}


def _bare_url(url):
    """The URL as Node's URL writes it without user info, query and fragment, no trailing slash.
    Raises on a URL Node would not parse (then neither attribute is written, as there)."""
    p = urlsplit(url)
    if not p.scheme or p.hostname is None:
        raise ValueError("not a URL")
    scheme, host, port = p.scheme.lower(), p.hostname, p.port
    netloc = "[%s]" % host if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += ":%d" % port
    return urlunsplit((scheme, netloc, p.path or "/", "", "")).rstrip("/")
