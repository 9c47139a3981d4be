"""A streamed interaction's events (create or get with stream=True) assembled into the Interaction
a non-streamed call would have returned (the Node preload's interactionStream.ts): steps from
`step.start` and their deltas, status and usage from the lifecycle events, continuation hops merged
as the SDK merges them. Fed the events as JSON (REST names) by interaction_tap.py."""

import json

_DELTA_STEP = {
    "text": "model_output", "image": "model_output", "audio": "model_output", "video": "model_output",
    "document": "model_output", "text_annotation_delta": "model_output",
    "thought_summary": "thought", "thought_signature": "thought", "arguments_delta": "function_call",
}


def _items(step, key):
    if not isinstance(step.get(key), list):
        step[key] = []
    return step[key]


def _last_text(items):
    return items[-1] if items and isinstance(items[-1], dict) and items[-1].get("type") == "text" else None


def _apply_delta(step, delta, args):
    """Merges one `step.delta` into its step."""
    kind = delta.get("type")
    if kind == "text":
        items = _items(step, "content")
        last = _last_text(items)
        if last is not None and not last.get("annotations"):
            last["text"] = str(last.get("text") or "") + str(delta.get("text") or "")
        else:
            items.append({"type": "text", "text": str(delta.get("text") or "")})
    elif kind in ("image", "audio", "video", "document"):
        _items(step, "content").append(dict(delta))
    elif kind == "text_annotation_delta":
        last = _last_text(_items(step, "content"))
        if last is not None and isinstance(delta.get("annotations"), list):
            last["annotations"] = list(last.get("annotations") or []) + delta["annotations"]
    elif kind == "thought_summary":
        items = _items(step, "summary")
        c = delta.get("content")
        last = _last_text(items)
        if isinstance(c, dict) and c.get("type") == "text" and last is not None:
            last["text"] = str(last.get("text") or "") + str(c.get("text") or "")
        elif isinstance(c, dict):
            items.append(dict(c))
    elif kind == "thought_signature":
        step["signature"] = delta.get("signature")
    elif kind == "arguments_delta":
        args[id(step)] = args.get(id(step), "") + str(delta.get("arguments") or "")
    else:
        # A built-in tool's call or result (and any delta type the API adds): its fields land on
        # the step, lists appended, a streamed result string joined.
        for k, v in delta.items():
            if k == "type":
                continue
            prev = step.get(k)
            if isinstance(prev, list) and isinstance(v, list):
                step[k] = prev + v
            elif k == "result" and isinstance(prev, str) and isinstance(v, str):
                step[k] = prev + v
            else:
                step[k] = v


def _merge_usage(usages):
    """Usage summed over continuation hops the way the SDK merges unary hops (counts summed, the
    first hop's input kept as initial_input_tokens)."""
    if len(usages) <= 1:
        return usages[0] if usages else None
    out = dict(usages[-1])
    keys = []
    for u in usages:
        keys.extend(k for k in u if k not in keys)
    for k in keys:
        vals = [u.get(k) for u in usages]
        if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in vals):
            out[k] = sum(v or 0 for v in vals)
    first = usages[0]
    out["initial_input_tokens"] = first.get("initial_input_tokens", first.get("total_input_tokens"))
    return out


class InteractionAssembler:
    def __init__(self):
        self.events = 0
        self.saw_delta = False
        self.error = None
        self._interaction = {}
        self._steps = []
        self._step_usage = {}
        self._args = {}  # id(step) → its arguments' JSON text so far
        self._index = {}  # this hop's step index → index in _steps (-1: a repeated input step, dropped)
        self._hop_ids = []
        self._usages = []
        self._hop_usage = None

    def add(self, event):
        """Takes one event (JSON); returns True for the first step delta of the stream."""
        self.events += 1
        if not isinstance(event, dict):
            return False
        kind = event.get("event_type")
        if kind == "interaction.created":
            self._start_hop(event.get("interaction"))
        elif kind == "interaction.status_update":
            if isinstance(event.get("status"), str):
                self._interaction["status"] = event["status"]
            if isinstance(event.get("continuation_token"), str):
                self._interaction["continuation_token"] = event["continuation_token"]
            if isinstance(event.get("usage"), dict):
                self._hop_usage = event["usage"]
        elif kind == "interaction.completed":
            it = event.get("interaction")
            if isinstance(it, dict):
                self._interaction.update({k: v for k, v in it.items() if k not in ("steps", "usage")})
                if isinstance(it.get("usage"), dict):
                    self._hop_usage = it["usage"]
                if isinstance(it.get("steps"), list) and not self._steps:
                    self._steps.extend(it["steps"])
        elif kind == "step.start":
            step, index = event.get("step"), event.get("index")
            if isinstance(step, dict) and isinstance(index, int):
                later = len(self._hop_ids) > 1 and bool(self._steps)
                only_input_so_far = not any(g >= 0 for g in self._index.values())
                if later and only_input_so_far and step.get("type") == "user_input":
                    self._index[index] = -1
                else:
                    self._index[index] = len(self._steps)
                    self._steps.append(step)
        elif kind == "step.delta":
            step = self._step_at(event.get("index"), event.get("delta"))
            if step is not None and isinstance(event.get("delta"), dict):
                _apply_delta(step, event["delta"], self._args)
            meta = event.get("metadata")
            if isinstance(meta, dict) and isinstance(meta.get("total_usage"), dict):
                self._hop_usage = meta["total_usage"]
            first = not self.saw_delta
            self.saw_delta = True
            return first
        elif kind == "step.stop":
            g = self._index.get(event.get("index")) if isinstance(event.get("index"), int) else None
            if g is not None and g >= 0:
                self._finish_args(self._steps[g])
                if "step_usage" in event:
                    self._step_usage[g] = event["step_usage"]
        elif kind == "error":
            self.error = event["error"] if isinstance(event.get("error"), dict) else {"message": "The stream reported an error."}
        return False

    def _start_hop(self, interaction):
        if self._hop_usage:
            self._usages.append(self._hop_usage)
        self._hop_usage = None
        self._index = {}
        if not isinstance(interaction, dict):
            return
        # Fields that describe the turn's request come from the first hop (as the SDK merges hops).
        first = not self._hop_ids
        for k, v in interaction.items():
            if k not in ("steps", "usage") and (first or k not in ("created", "previous_interaction_id")):
                self._interaction[k] = v
        if isinstance(interaction.get("id"), str):
            self._hop_ids.append(interaction["id"])

    def _step_at(self, index, delta):
        """The step a delta belongs to; a resumed stream may start mid-step, with no `step.start`."""
        if not isinstance(index, int):
            return None
        g = self._index.get(index)
        if g is not None:
            return None if g < 0 else self._steps[g]
        kind = delta.get("type") if isinstance(delta, dict) else None
        step = {"type": _DELTA_STEP.get(kind, kind) if isinstance(kind, str) else "unknown"}
        self._index[index] = len(self._steps)
        self._steps.append(step)
        return step

    def _finish_args(self, step):
        text = self._args.pop(id(step), None)
        if text is None:
            return
        try:
            step["arguments"] = json.loads(text)
        except ValueError:
            step["arguments"] = text  # as streamed: the JSON never completed

    @property
    def id(self):
        return self._interaction.get("id") if isinstance(self._interaction.get("id"), str) else None

    def result(self):
        """The interaction assembled so far, shaped like a non-streamed reply."""
        for s in self._steps:
            self._finish_args(s)
        usage = _merge_usage(self._usages + [self._hop_usage] if self._hop_usage else self._usages)
        out = dict(self._interaction, steps=self._steps)
        if usage:
            out["usage"] = usage
        if len(self._hop_ids) > 1:
            out["continuation_ids"] = list(self._hop_ids)
        text = _output_text(self._steps)
        if text:
            out["output_text"] = text
        return out

    def per_step_usage(self):
        """Usage each step reported on its `step.stop`, aligned with the steps; None if none did."""
        if not any(u is not None for u in self._step_usage.values()):
            return None
        return [self._step_usage.get(i) for i in range(len(self._steps))]


def _output_text(steps):
    """The text of the last model output after the last input, as the SDK's output_text."""
    parts = []
    for s in reversed(steps):
        kind = s.get("type") if isinstance(s, dict) else None
        if kind == "user_input":
            break
        if kind == "thought":
            continue
        if kind != "model_output":
            if parts:
                break
            continue
        for c in reversed(s.get("content") or []):
            if isinstance(c, dict) and c.get("type") == "text":
                parts.append(str(c.get("text") or ""))
    return "".join(reversed(parts))
