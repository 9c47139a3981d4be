"""Multiplies the traces of one MLflow experiment inside its sqlite store, for load benchmarks.

MLflow's OTLP ingest takes seconds per thousand traces on a loaded 2-core machine, so a 50,000-trace
experiment would take most of a benchmark's budget to write. This copies rows that MLflow itself
wrote from real OTLP requests (trace_info, trace_tags, trace_request_metadata, trace_metrics, spans,
span_metrics), giving each copy a new trace id and an earlier time, so what the server reads back is
shaped exactly like ingested traces. Only for a throw-away store that the benchmark owns.

  python clone_traces.py DB EXPERIMENT_ID COPIES STEP_MS
Each trace of the experiment gets COPIES copies, copy k shifted k * STEP_MS earlier. Prints a JSON line.
"""

import base64
import json
import os
import sqlite3
import sys
import time


def rows(con, sql, *args):
    cur = con.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def insert(con, table, records):
    if not records:
        return
    cols = [c for c in records[0] if c != "duration_ns"]  # a generated column
    sql = f'INSERT INTO {table} ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
    con.executemany(sql, [[r[c] for c in cols] for r in records])


def by_request(con, table, key, exp_ids):
    out = {}
    marks = ",".join("?" * len(exp_ids))
    for r in rows(con, f"SELECT * FROM {table} WHERE {key} IN ({marks})", *exp_ids):
        out.setdefault(r[key], []).append(r)
    return out


def main():
    db, experiment_id, copies, step_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    t0 = time.time()
    con = sqlite3.connect(db, timeout=60)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA synchronous=OFF")  # a throw-away store: no fsync per page
    templates = rows(con, "SELECT * FROM trace_info WHERE experiment_id = ?", experiment_id)
    ids = [t["request_id"] for t in templates]
    tags = by_request(con, "trace_tags", "request_id", ids)
    meta = by_request(con, "trace_request_metadata", "request_id", ids)
    metrics = by_request(con, "trace_metrics", "request_id", ids)
    spans = by_request(con, "spans", "trace_id", ids)
    span_metrics = by_request(con, "span_metrics", "trace_id", ids)

    made = 0
    with con:
        for t in templates:
            old = t["request_id"]
            old_b64 = base64.b64encode(bytes.fromhex(old[3:])).decode()
            batch = {"trace_info": [], "trace_tags": [], "trace_request_metadata": [], "trace_metrics": [], "spans": [], "span_metrics": []}
            for k in range(1, copies + 1):
                hex_id = os.urandom(16).hex()
                new = "tr-" + hex_id
                new_b64 = base64.b64encode(bytes.fromhex(hex_id)).decode()
                shift_ms = k * step_ms
                swap = lambda s: s.replace(old, new).replace(old_b64, new_b64) if isinstance(s, str) else s  # noqa: E731
                batch["trace_info"].append({**t, "request_id": new, "timestamp_ms": t["timestamp_ms"] - shift_ms})
                for table, src in (("trace_tags", tags), ("trace_request_metadata", meta), ("trace_metrics", metrics)):
                    batch[table] += [{**r, "request_id": new, "value": swap(r["value"])} for r in src.get(old, [])]
                for s in spans.get(old, []):
                    content = json.loads(s["content"])
                    content["trace_id"] = new_b64
                    content["start_time_unix_nano"] -= shift_ms * 1_000_000
                    if content.get("end_time_unix_nano") is not None:
                        content["end_time_unix_nano"] -= shift_ms * 1_000_000
                    attrs = content.get("attributes") or {}
                    if "mlflow.traceRequestId" in attrs:
                        attrs["mlflow.traceRequestId"] = json.dumps(new)
                    end = s["end_time_unix_nano"]
                    batch["spans"].append({
                        **s, "trace_id": new, "content": json.dumps(content),
                        "start_time_unix_nano": s["start_time_unix_nano"] - shift_ms * 1_000_000,
                        "end_time_unix_nano": None if end is None else end - shift_ms * 1_000_000,
                    })
                batch["span_metrics"] += [{**r, "trace_id": new} for r in span_metrics.get(old, [])]
                made += 1
            # Parents first: the child tables reference trace_info and spans.
            for table in ("trace_info", "trace_tags", "trace_request_metadata", "trace_metrics", "spans", "span_metrics"):
                insert(con, table, batch[table])
    total = con.execute("SELECT COUNT(*) FROM trace_info WHERE experiment_id = ?", (experiment_id,)).fetchone()[0]
    print(json.dumps({"templates": len(templates), "copies": made, "total": total, "seconds": round(time.time() - t0, 2)}))


if __name__ == "__main__":
    main()
