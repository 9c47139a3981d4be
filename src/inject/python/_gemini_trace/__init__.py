"""Gemini Trace Explorer's tracer for Python programs: traces google-genai (and the legacy
google-generativeai, and the frameworks and SDKs apps reach Gemini through: Google's ADK,
LangChain/LangGraph, openai) into MLflow over OTLP, on the standard library alone (Python 3.9+).
It never imports mlflow, and opentelemetry only where a framework that writes OpenTelemetry spans
(ADK, which depends on it) has loaded: a program's environment needs nothing installed to be traced.

Loaded by our sitecustomize the moment the program imports one of the SDKs (on_import); a
program that never imports one pays nothing. Layout, one concept a module:
  config      the environment (MLFLOW_TRACKING_URI, credentials, run tags, content switch)
  span        one span record;  calls   starting and ending spans in context (the call API)
  shapes      what a span records (inputs, outputs, usage, config attributes), as JSON
  media_budget   media kept in spans up to a bound per part and per trace
  streams     spans that live as long as a stream;  callsite   the program's own line
  otel        joining the app's own OpenTelemetry trace
  otlp, net, export, failures, handoff, exit   getting spans to MLflow without holding it
  open_roots  traces whose root is still open, named over REST meanwhile
  genai_models, genai_chats, genai_tools, genai_endpoint   google-genai's models and chats
  genai_interactions (interaction_shape, interaction_stream, interaction_tap, background_runs,
    step_signatures, recent, media)   google-genai's Interactions API
  genai_live (live_session, live_shape)   google-genai's Live API
  legacy   google-generativeai
  otel_bridge, adk   Google's ADK through its own OpenTelemetry spans
  langchain (langchain_values)   LangChain and LangGraph through LangChain's callbacks
  openai_chat   the openai SDK's chat completions (OpenAI-compatible endpoints, MLflow AI Gateway)
A new surface is one more module that opens Calls and is installed from SURFACES below; the span,
export and exit machinery is shared."""

import sys

_state = {"runtime": False, "installed": set()}
_warned = set()


def warn(line, key="mlflow"):
    """One line on stderr per kind of trouble: a note, not a flood."""
    if key in _warned:
        return
    _warned.add(key)
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except Exception:
        pass


def _runtime():
    if _state["runtime"]:
        return
    _state["runtime"] = True
    from . import calls
    from .config import read_config

    cfg = read_config()

    def first_call():
        # The export machinery loads at the first Gemini call: a program that imports an SDK and
        # never calls it neither pays for it nor talks to MLflow.
        from . import exit as exit_hooks
        from .export import Exporter

        exporter = Exporter(cfg, warn)
        exit_hooks.install(exporter, warn)
        calls.Runtime.sink = exporter.add
        exporter.start()

    calls.setup(cfg, warn, first_call)


def _genai():
    from google.genai import _extra_utils, chats, client, live, models, types

    from . import genai_chats, genai_interactions, genai_live, genai_models, genai_tools

    genai_models.install(models, (types.GenerateContentConfig, types.EmbedContentConfig, types.CountTokensConfig))
    genai_chats.install(chats, types.GenerateContentConfig)
    genai_tools.install(_extra_utils)
    # Both patch only what is already loaded (the client's `interactions` property, AsyncLive.connect):
    # the Interactions client itself is instrumented when the program first reaches for it.
    genai_interactions.install(client)
    genai_live.install(live)


def _legacy():
    from . import legacy

    legacy.install()


def _adk():
    from google.adk import version
    from google.adk.telemetry import context

    from . import adk

    adk.install(context, version.__version__)


def _adk_runners():
    from google.adk import runners, version

    from . import adk

    adk.install_runner(runners, version.__version__)


def _langchain():
    import langchain_core
    from langchain_core.tracers import context

    from . import langchain

    langchain.install(context, langchain_core.__version__)


def _openai():
    import openai
    from openai.resources.chat import completions

    from . import openai_chat

    openai_chat.install(completions, openai.__version__)


# The module whose import turns a surface on → what installs it. Frameworks are watched at the
# module they load just before they need us (ADK's telemetry settings, LangChain's callback hooks,
# openai's chat resource), so a program that imports one and never runs it pays almost nothing.
SURFACES = {
    "google.genai": _genai,
    "google.generativeai": _legacy,
    "google.adk.telemetry.context": _adk,
    "google.adk.runners": _adk_runners,
    "langchain_core.tracers.context": _langchain,
    "openai.resources.chat.completions": _openai,
}


def on_import(module_name):
    """Called once the program has imported `module_name` (one of SURFACES). Never raises."""
    try:
        install = SURFACES.get(module_name)
        if install is None or module_name in _state["installed"]:
            return
        _state["installed"].add(module_name)
        _runtime()
        install()
    except Exception as e:
        warn("[gemini-trace] tracing of %s is off for this process: %s: %s" % (module_name, type(e).__name__, e), "setup:" + module_name)
