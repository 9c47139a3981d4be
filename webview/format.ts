// Numbers as people read them: latencies with sensible units, token counts with separators.
import type { TokenUsage } from '../src/model/types';
import { formatLatency } from '../src/shared/format';

const nf = new Intl.NumberFormat('en-US');

/** A latency in the one format every view uses, or a dash when there is none. */
export function duration(ms: number | null | undefined): string {
  return formatLatency(ms) || '—';
}

/** Axis labels: short, and all in one unit picked from the step. */
export function axisLabel(ms: number, stepMs: number): string {
  if (ms === 0) return '0';
  if (stepMs < 1) return `${+(ms * 1000).toFixed(0)}µs`;
  if (stepMs < 1000) return `${+ms.toFixed(stepMs < 10 ? 1 : 0)}ms`;
  if (stepMs < 60_000) return `${+(ms / 1000).toFixed(stepMs < 10_000 ? 1 : 0)}s`;
  return `${+(ms / 60_000).toFixed(1)}m`;
}

export function count(n: number): string {
  return nf.format(Math.round(n));
}

/** 12.3k style, for tight places. */
export function compact(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${+(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${+(n / 1_000_000).toFixed(1)}M`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function chars(n: number): string {
  return n < 1000 ? `${n} characters` : `${compact(n)} characters`;
}

export function money(total: number, currency = 'USD'): string {
  const digits = total < 0.01 ? 5 : total < 1 ? 4 : 2;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: digits, minimumFractionDigits: 2 }).format(total);
  } catch {
    return `${total.toFixed(digits)} ${currency}`;
  }
}

export function dateTime(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return '—';
  const d = new Date(epochMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function ago(epochMs: number, now = Date.now()): string {
  const s = Math.round((now - epochMs) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 0) return 'in the future';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function tokenSplit(u: TokenUsage): string {
  const parts = [`${count(u.input)} in`, `${count(u.output)} out`];
  if (u.thinking) parts.push(`${count(u.thinking)} thinking`);
  if (u.cached) parts.push(`${count(u.cached)} cached`);
  return parts.join(' · ');
}
