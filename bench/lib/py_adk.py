"""The ADK program bench/python-frameworks.mjs times. `python py_adk.py N`: N agent runs of a root
agent with one tool, each two model calls (the agent's steps: ask and call the tool, then answer)
against the stand-in, after three runs to warm up; prints each run's wall and thread CPU time (µs)
as JSON, under "traced" and "own".

Untraced, every run is "own". Traced, runs alternate between tracing as installed ("traced") and
tracing switched off in place ("own"), so both halves share one process and its load, as
py_apps.py's percall does with the SDK method's __wrapped__: ADK's tracer answers with a no-op
tracer (as with no provider set), and google-genai's methods and ADK's content setting are their
originals (each wrapper keeps it as __wrapped__)."""

import asyncio
import json
import sys
import time

from google.adk.agents import LlmAgent
from google.adk.runners import InMemoryRunner
from google.genai import types


def weather(city: str) -> dict:
    """The weather in a city."""
    return {"city": city, "sky": "sunny"}


agent = LlmAgent(name="bench_agent", model="gemini-2.5-flash", instruction="Answer weather questions.", tools=[weather])
runner = InMemoryRunner(agent=agent, app_name="bench")
STEPS = 2


def switch():
    """(on, off) that put tracing in place and take it out, or None when the program is untraced."""
    if "_gemini_trace" not in sys.modules:
        return None
    from google.adk.telemetry import context
    from google.genai import models
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    patched = [(owner, name, vars(owner)[name]) for owner in (models.Models, models.AsyncModels) for name in list(vars(owner)) if getattr(vars(owner)[name], "_gemini_trace", False)]
    patched.append((context, "_read_content_capturing_mode", context._read_content_capturing_mode))
    noop = trace.NoOpTracerProvider()

    def on():
        provider.forward_to = None
        for owner, name, fn in patched:
            setattr(owner, name, fn)

    def off():
        provider.forward_to = noop
        for owner, name, fn in patched:
            setattr(owner, name, fn.__wrapped__)

    return on, off


async def main(n):
    sides = switch()
    out = {"traced": [], "own": [], "cpu_traced": [], "cpu_own": [], "steps": STEPS}
    for i in range(n + 4):
        # A session of its own: every run sends the same conversation.
        session = await runner.session_service.create_session(app_name="bench", user_id="u")
        side = "own" if sides is None or i % 2 else "traced"
        if sides is not None:
            sides[0 if side == "traced" else 1]()
        message = types.Content(role="user", parts=[types.Part(text="Weather in Paris? [[call:weather]] run %d" % i)])
        c0, t0 = time.thread_time(), time.perf_counter()
        async for _ in runner.run_async(user_id="u", session_id=session.id, new_message=message):
            pass
        if i >= 4:
            out[side].append((time.perf_counter() - t0) * 1e6)
            out["cpu_" + side].append((time.thread_time() - c0) * 1e6)
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
