"""A small Gemini app for trying Gemini Trace Explorer: one plain call, one streamed call, and a
chat that calls a function. It has no tracing code of its own; run it from a launch configuration
with "geminiTrace": true and each call becomes a trace in MLflow.

Needs google-genai (the repository's .venv has it: ../../.venv/bin/python app.py).
"""

import os
import re
import sys

from google import genai
from google.genai import types

MODEL = os.environ.get("GEMINI_MODEL", "gemini-2.5-flash")
BASE_URL = os.environ.get("GOOGLE_GEMINI_BASE_URL")
# On the loopback Gemini stand-in (npm start), [[call:NAME]] asks it for a function call; the real
# API decides from the tool declaration alone.
OFFLINE = bool(re.match(r"^http://(127\.0\.0\.1|localhost)[:/]", BASE_URL or ""))

GET_WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="Current weather for a city.",
    parameters=types.Schema(
        type=types.Type.OBJECT,
        properties={"city": types.Schema(type=types.Type.STRING)},
        required=["city"],
    ),
)


def weather_in(city: str) -> dict:
    return {"city": city, "celsius": 18, "sky": "clear"}


def main() -> int:
    if not os.environ.get("GEMINI_API_KEY"):
        print("Set GEMINI_API_KEY (or GOOGLE_GEMINI_BASE_URL and any key for the local stand-in).", file=sys.stderr)
        return 1
    client = genai.Client(
        api_key=os.environ["GEMINI_API_KEY"],
        http_options=types.HttpOptions(base_url=BASE_URL) if BASE_URL else None,
    )

    res = client.models.generate_content(model=MODEL, contents="Say in one sentence what a trace is.")
    print(f"generate_content: {res.text}")

    text = "".join(chunk.text or "" for chunk in client.models.generate_content_stream(
        model=MODEL, contents="Write a haiku about reading traces."))
    print(f"generate_content_stream: {text}")

    chat = client.chats.create(
        model=MODEL,
        config=types.GenerateContentConfig(
            tools=[types.Tool(function_declarations=[GET_WEATHER])],
            # The app answers the call itself, so the round trip shows up in the trace.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        ),
    )
    first = chat.send_message("What is the weather in Paris?" + (" [[call:get_weather]]" if OFFLINE else ""))
    calls = first.function_calls or []
    if not calls:
        print(f"chat: {first.text}")
        return 0
    parts = [
        types.Part.from_function_response(name=c.name, response=weather_in((c.args or {}).get("city", "Paris")))
        for c in calls
    ]
    answer = chat.send_message(parts)
    print(f"chat: called {', '.join(c.name for c in calls)}; answer: {answer.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
