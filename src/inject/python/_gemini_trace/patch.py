"""Replacing an SDK function with a traced wrapper, once. The wrapper keeps the original's name,
docstring and signature (functools.wraps: inspect and help() see the SDK's), is marked so a second
install (two copies of the tracer on PYTHONPATH, a module reloaded) never wraps it again, and keeps
the original as __wrapped__."""

import functools


def patch(owner, name, make):
    """owner.name = make(original), for a class or module attribute of its own. Never raises."""
    try:
        original = vars(owner).get(name)
        if original is None or getattr(original, "_gemini_trace", False):
            return
        wrapper = functools.wraps(original)(make(original))
        wrapper._gemini_trace = True
        setattr(owner, name, wrapper)
    except Exception:
        pass  # that function stays untraced
