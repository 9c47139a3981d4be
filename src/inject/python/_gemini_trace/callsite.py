"""The program's own line that made a Gemini call: the innermost frame outside the standard
library, installed packages (site-packages, dist-packages, the interpreter's lib) and this
tracer. Runs on the call path, so the library/user verdict is cached per file."""

import os
import site
import sys
import sysconfig

_HERE = os.path.dirname(os.path.abspath(__file__))
_SKIP_TOP = frozenset(("google", "sitecustomize", "_gemini_trace", "opentelemetry", "mlflow", "pydantic", "httpx", "anyio", "tenacity", "grpc", "proto"))
_verdicts = {}


def _library_roots():
    roots = {os.path.dirname(_HERE)}
    try:
        paths = sysconfig.get_paths()
        roots.update(paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k))
    except Exception:
        pass
    try:
        roots.update(site.getsitepackages())
        roots.add(site.getusersitepackages())
    except Exception:
        pass  # virtualenv's old site.py has no getsitepackages
    for base in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        roots.add(os.path.join(base, "lib"))
    return tuple(os.path.normcase(os.path.abspath(r)) + os.sep for r in roots if r)


_ROOTS = _library_roots()


def _is_library(filename):
    verdict = _verdicts.get(filename)
    if verdict is None:
        path = os.path.normcase(os.path.abspath(filename))
        verdict = (
            filename.startswith("<")
            or path.startswith(_ROOTS)
            or (os.sep + "site-packages" + os.sep) in path
            or (os.sep + "dist-packages" + os.sep) in path
        )
        if len(_verdicts) > 5000:
            _verdicts.clear()
        _verdicts[filename] = verdict
    return verdict


def capture(skip=1):
    """(absolute path, 1-based line, function) of the innermost user frame, or None. Never raises."""
    try:
        frame = sys._getframe(skip)
    except Exception:
        return None
    while frame is not None:
        code = frame.f_code
        if not _is_library(code.co_filename):
            top = (frame.f_globals.get("__name__") or "").split(".", 1)[0]
            if top not in _SKIP_TOP:
                return os.path.abspath(code.co_filename), frame.f_lineno, getattr(code, "co_qualname", code.co_name)
        frame = frame.f_back
    return None
