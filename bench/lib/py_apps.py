"""The Python programs bench/python-tracer.mjs times, one per mode (argv[1]); they know nothing
of tracing and run the same traced or not.
  idle     imports google-genai and makes a client, works ~0.3 s, makes no Gemini call
  five     five generate_content calls
  percall  N calls, each timed; traced runs alternate the traced method and the SDK's own
           (the wrapper keeps it as __wrapped__), so both halves share one process and its load
  interactions  the same for interactions.create (unary), and for a streamed create the time
           from the call to the first step delta the program reads
  measure  runs argv[2:] as a child and prints its wall and CPU time (s) and peak RSS (kB) as JSON
"""

import json
import sys
import time


def client():
    from google import genai

    return genai.Client()


def idle():
    c = client()
    data = [{"i": i, "s": "x" * 50} for i in range(2000)]
    end = time.perf_counter() + 0.3
    n = 0
    while time.perf_counter() < end:
        n += len(json.dumps(data[n % 10:]))
    print("idle done", c is not None)


def five():
    c = client()
    for i in range(5):
        c.models.generate_content(model="gemini-2.5-flash", contents="bench call %d" % i)
    print("five done")


def percall(n):
    from google.genai import models

    c = client()
    traced = models.Models.generate_content
    own = getattr(traced, "__wrapped__", None)
    out = {"traced": [], "own": []}
    for i in range(n):
        for key, fn in (("traced", traced), ("own", own)):
            if fn is None:
                continue
            t = time.perf_counter()
            fn(c.models, model="gemini-2.5-flash", contents="per call %d" % i)
            out[key].append((time.perf_counter() - t) * 1e6)
    print(json.dumps(out))


def interactions(n):
    c = client()
    cls = type(c.interactions)  # the first access instruments the class (genai_interactions.py)
    traced = cls.create
    own = getattr(traced, "__wrapped__", None)
    out = {k: [] for k in ("traced", "own", "cpu_traced", "cpu_own", "ttfd_traced", "ttfd_own")}
    for i in range(n):
        pair = (("traced", traced), ("own", own))
        for key, fn in pair if i % 2 else pair[::-1]:  # each side first half the time
            if fn is None:
                continue
            # Wall time, and the calling thread's CPU time: on a loaded machine the SDK's ~10 ms
            # of wall time per call swings by more than the tracer's cost, its CPU time far less.
            c0, t = time.thread_time(), time.perf_counter()
            fn(c.interactions, model="gemini-3-flash-preview", input="per call %d" % i)
            out[key].append((time.perf_counter() - t) * 1e6)
            out["cpu_" + key].append((time.thread_time() - c0) * 1e6)
            if i % 10 < 2:  # streams take longer: a fifth as many
                t = time.perf_counter()
                with fn(c.interactions, model="gemini-3-flash-preview", input="stream %d" % i, stream=True) as events:
                    for event in events:
                        if event.event_type == "step.delta":
                            out["ttfd_" + key].append((time.perf_counter() - t) * 1e6)
                            break
    print(json.dumps(out))


def measure(cmd):
    import resource
    import subprocess

    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss, "code": r.returncode}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "measure":
        measure(sys.argv[2:])
    elif mode == "percall":
        percall(int(sys.argv[2]))
    elif mode == "interactions":
        interactions(int(sys.argv[2]))
    else:
        {"idle": idle, "five": five}[mode]()
