"""Traces whose root span stays open while their children are exported: a background run, a Live
session (the Node preload's openRoots.ts). MLflow takes a trace's name and tags only from its root
span, so until the root lands the trace would be listed nameless. Once MLflow has accepted a span
of such a trace, the export thread sets its name and the trace tags known so far over REST, once
per trace (export.py); the root sets the same values again when it arrives.

The program's threads open, tag and end roots; only the export thread takes them. Each step is one
dict or set operation (atomic under the GIL), so no lock: a lock held at a fork would stay held in
the child."""

_open = {}  # trace id → the tags its root carries so far (mlflow.traceName among them), updated in place
_named = set()  # traces already named: each is named once


def opened(trace_id, tags):
    _open[trace_id] = tags


def ended(trace_id):
    _open.pop(trace_id, None)
    _named.discard(trace_id)


def take_unnamed(trace_ids):
    """[(trace id, a copy of its tags)] for the open traces among `trace_ids` not named yet; marked named."""
    out = []
    for trace_id in set(trace_ids):
        tags = _open.get(trace_id)
        if tags is None or trace_id in _named:
            continue
        _named.add(trace_id)
        if trace_id not in _open:  # its root ended meanwhile: nothing to name
            _named.discard(trace_id)
            continue
        out.append((trace_id, dict(tags)))
    return out
