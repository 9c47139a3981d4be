"""The tools google-genai's automatic function calling runs: one TOOL span per function call the
model asked for, a child of the AFC loop's span, from the call until the function returns (as the
Node preload's traceToolCalls). Inputs are the arguments the model sent, outputs what the function
returned; `gen_ai.tool.name` and `gen_ai.tool.call.id` name it. The SDK finds the calls in a
response (get_function_response_parts) and then invokes each function: the first hook notes the
calls with their ids, the second opens a span around each invocation. Outside a traced AFC loop
both call straight through."""

from . import shapes
from .calls import Call, capture, current
from .patch import patch


def install(extra_utils):
    patch(extra_utils, "get_function_response_parts", _noting_calls)
    patch(extra_utils, "get_function_response_parts_async", _noting_calls)
    patch(extra_utils, "invoke_function_from_dict_args", _invoking)
    patch(extra_utils, "invoke_function_from_dict_args_async", _invoking)
    try:
        # MCP client sessions given as tools (client.aio): the SDK calls their tools through this.
        from google.genai import _adapters

        patch(_adapters.McpToGenAiToolAdapter, "call_tool", _calling_mcp)
    except Exception:
        pass


def _loop():
    """The frame of the traced AFC loop running in this context, or None."""
    frame = current()
    return frame.afc_frame() if frame is not None else None


def _note(response):
    """Queues the response's function calls (name, id, args) on the AFC loop's frame."""
    frame = _loop()
    if frame is None:
        return
    try:
        for part in response.candidates[0].content.parts or []:
            fc = part.function_call
            if fc is not None and fc.name:
                frame.tools.append((fc.name, fc.id, fc.args))
    except Exception:
        pass


def _noting_calls(original):
    if _is_async(original):
        async def wrapper(response, *args, **kwargs):
            _note(response)
            return await original(response, *args, **kwargs)
    else:
        def wrapper(response, *args, **kwargs):
            _note(response)
            return original(response, *args, **kwargs)
    return wrapper


def _open(args, function, name=None):
    frame = _loop()
    if frame is None:
        return None
    try:
        name = name or getattr(function, "__name__", None) or "tool"
        call_id, model_args = None, args
        for i, (n, cid, a) in enumerate(frame.tools):
            if n == name:
                call_id, model_args = cid, a
                del frame.tools[i]
                break
        attributes = {"gen_ai.tool.name": name}
        if call_id:
            attributes["gen_ai.tool.call.id"] = call_id
        return Call.start(name, "TOOL", shapes.plain(model_args) if capture() else {}, attributes=attributes, parent=frame)
    except Exception:
        return None


def _outputs(result):
    return lambda: shapes.plain(result) if capture() else {}


def _invoking(original):
    if _is_async(original):
        async def wrapper(args, function, *rest, **kwargs):
            call = _open(args, function)
            if call is None:
                return await original(args, function, *rest, **kwargs)
            result = await call.arun(original, (args, function) + rest, kwargs)
            call.succeed(_outputs(result))
            return result
    else:
        def wrapper(args, function, *rest, **kwargs):
            call = _open(args, function)
            if call is None:
                return original(args, function, *rest, **kwargs)
            result = call.run(original, (args, function) + rest, kwargs)
            call.succeed(_outputs(result))
            return result
    return wrapper


def _calling_mcp(original):
    async def call_tool(self, function_call, *args, **kwargs):
        call = _open(getattr(function_call, "args", None) or {}, None, getattr(function_call, "name", None))
        if call is None:
            return await original(self, function_call, *args, **kwargs)
        result = await call.arun(original, (self, function_call) + args, kwargs)
        call.succeed(_outputs(result))
        return result
    return call_tool


def _is_async(fn):
    import inspect

    return inspect.iscoroutinefunction(fn)
