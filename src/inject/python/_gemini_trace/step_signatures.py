"""Thought signatures a program failed to send back (the Node preload's stepSignatures.ts). A
program that keeps the history itself (`store=False`) resends the model's earlier steps as
`input`; Gemini wants each call step back with the signature it came with (on the step, or on the
thought step just before it), and rejects or degrades a turn without it. The earlier reply and the
replay are separate traces, so only this process sees both: it remembers which call steps came
signed, and a create that replays one without its signature records it
(gemini.interaction.dropped_signatures, genai_interactions.py). Over JSON (REST names)."""

import json

from .recent import Recent

_signed = Recent()  # a call step (id, name and arguments: ids alone may repeat across interactions) → the interaction that signed it


def _key(step):
    """Arguments as sorted-key JSON, so a replayed step rebuilt in another key order matches."""
    try:
        args = json.dumps(step.get("arguments"), sort_keys=True, separators=(",", ":"), default=str)
    except Exception:
        args = repr(step.get("arguments"))
    name = step.get("name")
    return "%s\0%s\0%s" % (step["id"], "" if name is None else name, args)


def _signed_calls(steps):
    """(step, signed) for each call step of `steps`: signed by its own signature, or a signed thought right before it."""
    pending = False
    for s in steps:
        if not isinstance(s, dict):
            continue
        kind = s.get("type")
        sig = s.get("signature")
        if kind == "thought":
            pending = pending or (isinstance(sig, str) and sig != "")
            continue
        if isinstance(kind, str) and kind.endswith("_call") and isinstance(s.get("id"), str):
            yield s, (isinstance(sig, str) and sig != "") or pending
        pending = False


def remember_signed(interaction):
    """An interaction came back: remember its signed call steps. The first reply to carry a step is
    the one that made it (later replies may echo it back as part of their input)."""
    steps = interaction.get("steps")
    if not isinstance(interaction.get("id"), str) or not isinstance(steps, list):
        return
    for step, signed in _signed_calls(steps):
        if signed:
            key = _key(step)
            if key not in _signed:
                _signed.set(key, interaction["id"])


def dropped_signatures(input_):
    """[{step, id, interaction}]: the call steps a create's `input` replays without the signature they came with."""
    if not isinstance(input_, list):
        return []
    out = []
    for step, signed in _signed_calls(input_):
        origin = None if signed else _signed.get(_key(step))
        if origin is not None:
            name = step.get("name")
            out.append({"step": step["type"] + (" " + name if isinstance(name, str) else ""), "id": step["id"], "interaction": origin})
    return out
