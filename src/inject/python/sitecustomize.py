"""Gemini Trace Explorer: traces the Gemini calls of any Python program started with this
directory first on PYTHONPATH (the extension's launch configs, terminals and `gemini-trace run`).

Python imports `sitecustomize` at start-up, before the program. This file stays tiny and cheap:
it only waits for the program to import one of the Gemini SDKs (google.genai, or the legacy
google.generativeai) or a module of a framework it supports, and then lets _gemini_trace
instrument it, so a program that never talks to Gemini pays nothing. It also runs the
`sitecustomize` the user had before ours shadowed it. Nothing here may raise into the program.
"""

import os
import sys

_GUARD = "_gemini_trace_shim_loaded"
# The keys of _gemini_trace.SURFACES: the SDKs, and the framework modules their support hooks.
_WATCHED = (
    "google.genai", "google.generativeai", "google.adk.telemetry.context", "google.adk.runners",
    "langchain_core.tracers.context", "openai.resources.chat.completions",
)


def _active():
    value = os.environ.get("GEMINI_TRACE_ACTIVE", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


class _SdkImportWatcher:
    """A meta-path finder that lets the normal finders locate a watched SDK, then wraps that
    loader's exec_module so tracing is set up right after the module has run."""

    def __init__(self):
        self.pending = set(_WATCHED)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.pending:
            return None
        self.pending.discard(fullname)
        if not self.pending:
            _unwatch()
        spec = None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if find is None or finder is self:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        loader = getattr(spec, "loader", None)
        original = getattr(loader, "exec_module", None)
        if original is None:
            return spec

        def exec_module(module):
            original(module)
            _on_import(fullname)

        try:
            # Only this spec's loader instance is touched: module.__loader__ stays the real one.
            loader.exec_module = exec_module
        except Exception:
            _on_import_later(fullname)
        return spec


_watcher = _SdkImportWatcher()


def _unwatch():
    try:
        sys.meta_path.remove(_watcher)
    except ValueError:
        pass


def _on_import(fullname):
    try:
        import _gemini_trace

        _gemini_trace.on_import(fullname)
    except Exception as e:  # never into the program
        _warn("tracing is off for this process: %s: %s" % (type(e).__name__, e))


def _on_import_later(fullname):
    # A loader we cannot wrap: set up on the next import of anything, once the module exists.
    import builtins

    original_import = builtins.__import__

    def __import__(*args, **kwargs):
        result = original_import(*args, **kwargs)
        if fullname in sys.modules and builtins.__import__ is __import__:
            builtins.__import__ = original_import
            _on_import(fullname)
        return result

    builtins.__import__ = __import__


def _warn(message):
    try:
        sys.stderr.write("[gemini-trace] %s\n" % message)
        sys.stderr.flush()
    except Exception:
        pass


def _chain_user_sitecustomize():
    """Run the next `sitecustomize` on sys.path after ours, as site.py would have without us."""
    import importlib.machinery

    here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    ours = os.path.realpath(os.path.abspath(__file__))
    entries = list(sys.path)
    resolved = [os.path.realpath(os.path.abspath(e or os.getcwd())) for e in entries]
    start = resolved.index(here) + 1 if here in resolved else 0
    for entry, real in zip(entries[start:], resolved[start:]):
        if real == here:
            continue
        try:
            spec = importlib.machinery.PathFinder.find_spec("sitecustomize", [entry])
        except Exception:
            continue
        if spec is None or spec.loader is None or not spec.origin:
            continue
        if os.path.realpath(spec.origin) == ours:
            continue
        from importlib.util import module_from_spec  # only now: it costs a start-up a few milliseconds

        module = module_from_spec(spec)
        mine = sys.modules.get("sitecustomize")
        sys.modules["sitecustomize"] = module
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            # What site.py prints for a failing sitecustomize; the program still starts.
            sys.modules["sitecustomize"] = mine
            if sys.flags.verbose:
                sys.excepthook(*sys.exc_info())
            else:
                sys.stderr.write(
                    "Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n" % (type(e).__name__, e)
                )
        return


def _main():
    if getattr(sys, _GUARD, False):
        return
    setattr(sys, _GUARD, True)
    if _active():
        already = [name for name in _WATCHED if name in sys.modules]
        for name in already:
            _watcher.pending.discard(name)
            _on_import(name)
        if _watcher.pending:
            sys.meta_path.insert(0, _watcher)
    _chain_user_sitecustomize()


try:
    _main()
except Exception as _e:  # never into the program
    _warn("start-up failed: %s: %s" % (type(_e).__name__, _e))
