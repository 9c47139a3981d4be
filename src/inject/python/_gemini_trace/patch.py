"""Replacing an SDK function with a traced wrapper, once. The wrapper keeps the original's name,
docstring and signature (functools.wraps: inspect and help() see the SDK's), is marked so a second
install (two copies of the tracer on PYTHONPATH, a module reloaded) never wraps it again, and keeps
the original as __wrapped__."""

import functools


def patch(owner, name, make, inherited=False):
    """owner.name = make(original), for a class or module attribute of its own (or, with
    `inherited`, one a base class defines: the wrapper then goes on `owner`). Never raises."""
    try:
        original = vars(owner).get(name)
        if original is None and inherited:
            original = getattr(owner, name, None)
            if not callable(original):
                return
        if original is None or getattr(original, "_gemini_trace", False):
            return
        wrapper = functools.wraps(original)(make(original))
        wrapper._gemini_trace = True
        setattr(owner, name, wrapper)
    except Exception:
        pass  # that function stays untraced


def patch_property(owner, name, seen):
    """Replaces a class's property with one whose getter hands its value to seen(value), which
    returns what the program gets (the same object). Never raises."""
    try:
        prop = vars(owner).get(name)
        if not isinstance(prop, property) or prop.fget is None or getattr(prop.fget, "_gemini_trace", False):
            return
        original = prop.fget

        def getter(self):
            value = original(self)
            try:
                return seen(value)
            except Exception:
                return value

        getter = functools.wraps(original)(getter)
        getter._gemini_trace = True
        setattr(owner, name, property(getter, prop.fset, prop.fdel, prop.__doc__))
    except Exception:
        pass
