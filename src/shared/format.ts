// Short, scannable numbers as every view prints them (tree rows, hovers, CodeLens, the panel):
// latency, token counts, "how long ago", server names. Pure (no vscode, no DOM).

/** The one latency format: 850 µs · 2.50 ms · 850 ms · 1.23 s · 12.3 s · 2m 05s · 1h 02m; '' for no value. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms > 0 && ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms > 0 && ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** 0 tok · 987 tok · 12.3k tok · 1.2M tok */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '';
  if (n < 1000) return `${Math.round(n)} tok`;
  if (n < 100_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k tok`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k tok`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M tok`;
}

/** just now · 45s ago · 5m ago · 3h ago · 2d ago · 2026-11-02 */
export function formatRelative(epochMs: number, now = Date.now()): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return '';
  const d = Math.max(0, now - epochMs);
  if (d < 5_000) return 'just now';
  if (d < 60_000) return `${Math.floor(d / 1000)}s ago`;
  if (d < 3_600_000) return `${Math.floor(d / 60_000)}m ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3_600_000)}h ago`;
  if (d < 7 * 86_400_000) return `${Math.floor(d / 86_400_000)}d ago`;
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Absolute local time for tooltips: "2026-11-21 05:42:23". */
export function formatTimestamp(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return 'unknown';
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Joins the non-empty parts of a row description with a middle dot. */
export function joinParts(...parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => !!p).join(' · ');
}

/** One line of at most `max` characters: whitespace collapsed, an ellipsis when cut. */
export function oneLine(text: string | undefined, max = 80): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * MLflow's request/response previews are JSON text (`{"question":"hi"}`, `"echo: hi"`). For a
 * label, show the human part: a bare JSON string unquoted, else the first string value found.
 */
export function previewText(preview: string | undefined): string {
  if (!preview) return '';
  try {
    const v: unknown = JSON.parse(preview);
    const s = firstString(v, 0);
    if (s !== undefined) return s;
  } catch {
    /* truncated or not JSON: show as is */
  }
  return preview;
}

function firstString(v: unknown, depth: number): string | undefined {
  if (typeof v === 'string') return v;
  if (depth > 6 || v === null || typeof v !== 'object') return undefined;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    const s = firstString(x, depth + 1);
    if (s !== undefined) return s;
  }
  return undefined;
}

/**
 * Untrusted text as Markdown that renders exactly as written: every ASCII punctuation mark that
 * Markdown could read (links, images, emphasis, HTML, autolinks via ":") is backslash-escaped,
 * and line breaks stay line breaks. Unlike MarkdownString.appendText it keeps normal spaces, so
 * long prompts still wrap in a hover.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\`*_{}[\]()#+\-.!|<>~&:$"'=]/g, '\\$&')
    .split('\n')
    .map((l) => l.replace(/^[ \t]+/, (sp) => '\u00a0'.repeat(sp.length)))
    .join('  \n');
}

/** "127.0.0.1:5000", "mlflow.example.com/team", "databricks". */
export function shortServer(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return uri;
  }
}
