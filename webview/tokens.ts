// The Tokens tab: this span's usage and its share of the trace, and a small bar chart of the
// tokens of every model call across the trace (click a bar to go to that call).
import type { TokenUsage } from '../src/model/types';
import { type TraceHeader } from '../src/contract/protocol';
import { F, TOK, TOKEN_COLS, type SpanTable } from '../src/contract/spanTable';
import { el } from './dom';
import { compact, count, duration, money } from './format';

const MAX_BARS = 400;

export function renderTokens(t: SpanTable, header: TraceHeader, i: number, usage: TokenUsage | undefined, cost: { total: number; currency?: string } | undefined, select: (i: number) => void): HTMLElement {
  const root = el('div', { class: 'tokens' });
  const trace = header.usage;
  const own = usage ?? subtreeUsage(t, i);
  const isOwn = !!usage;
  const rows: [string, number, number][] = [
    ['Input', own.input, trace.input],
    ['Output', own.output, trace.output],
    ['Thinking', own.thinking, trace.thinking],
    ['Cached', own.cached, trace.cached],
    ['Total', own.total, trace.total],
  ];
  root.appendChild(el('div', { class: 'sub-h' }, isOwn ? 'This call' : 'Model calls under this span'));
  const table = el('table', { class: 'kv-table tokens-table' });
  table.appendChild(el('tr', null, el('th', null, ''), el('th', null, 'Tokens'), el('th', null, 'Share of trace'), el('th', null, '')));
  for (const [label, v, of] of rows) {
    const share = of > 0 ? v / of : 0;
    const meter = el('div', { class: 'meter', attrs: { role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(share * 100)), 'aria-label': `${label} share of trace` } }, el('div', { class: 'meter-fill' }));
    (meter.firstElementChild as HTMLElement).style.width = `${Math.min(share, 1) * 100}%`;
    table.appendChild(el('tr', null, el('td', null, label), el('td', { class: 'num' }, count(v)), el('td', { class: 'num' }, of > 0 ? `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%` : '—'), el('td', { class: 'meter-cell' }, meter)));
  }
  root.appendChild(table);
  if (cost) root.appendChild(el('p', { class: 'muted' }, `Cost: ${money(cost.total, cost.currency)}`));
  root.appendChild(chart(t, header, i, select));
  return root;
}

function subtreeUsage(t: SpanTable, i: number): TokenUsage {
  const u = { input: 0, output: 0, total: 0, thinking: 0, cached: 0 };
  for (let k = i; k < t.subtreeEnd[i]; k++) {
    if (!(t.flags[k] & F.usage)) continue;
    const o = k * TOKEN_COLS;
    u.input += t.tokens[o + TOK.input];
    u.output += t.tokens[o + TOK.output];
    u.total += t.tokens[o + TOK.total];
    u.thinking += t.tokens[o + TOK.thinking];
    u.cached += t.tokens[o + TOK.cached];
  }
  return u;
}

function chart(t: SpanTable, header: TraceHeader, selected: number, select: (i: number) => void): HTMLElement {
  const calls: number[] = [];
  for (let k = 0; k < t.n; k++) if (t.flags[k] & F.usage) calls.push(k);
  const box = el('div', { class: 'token-chart' });
  box.appendChild(el('div', { class: 'sub-h' }, `Tokens per model call · ${count(calls.length)} call${calls.length === 1 ? '' : 's'}`));
  if (!calls.length) {
    box.appendChild(el('p', { class: 'muted' }, 'No span in this trace recorded token usage.'));
    return box;
  }
  calls.sort((a, b) => t.start[a] - t.start[b]);
  let shown = calls;
  if (calls.length > MAX_BARS) {
    // Keep the biggest calls (and the selected one), still in time order.
    const big = new Set([...calls].sort((a, b) => total(t, b) - total(t, a)).slice(0, MAX_BARS - 1));
    big.add(selected);
    shown = calls.filter((k) => big.has(k));
    box.appendChild(el('p', { class: 'muted' }, `Showing the ${count(shown.length)} largest of ${count(calls.length)} calls.`));
  }
  const max = Math.max(...shown.map((k) => total(t, k)), 1);
  const legend = el('div', { class: 'legend' }, el('span', { class: 'sw in' }), ' input ', el('span', { class: 'sw cached' }), ' cached ', el('span', { class: 'sw out' }), ' output ', el('span', { class: 'sw think' }), ' thinking');
  box.appendChild(legend);
  const list = el('div', { class: 'bars', role: 'list' });
  for (const k of shown) {
    const o = k * TOKEN_COLS;
    const input = t.tokens[o + TOK.input];
    const cached = Math.min(t.tokens[o + TOK.cached], input);
    const output = t.tokens[o + TOK.output];
    const thinking = Math.min(t.tokens[o + TOK.thinking], output);
    const seg = (cls: string, v: number) => {
      const s = el('span', { class: `seg ${cls}` });
      s.style.width = `${(v / max) * 100}%`;
      return s;
    };
    const end = t.end[k] < 0 ? header.nowMs : t.end[k];
    // Model calls often share one name; their parent (the step that made them) tells them apart.
    const label = `${t.parent[k] >= 0 ? `${t.names[t.parent[k]]} › ` : ''}${t.names[k]}`;
    const model = t.model[k] >= 0 ? ` · ${t.models[t.model[k]]}` : '';
    const row = el(
      'button',
      {
        class: `bar-row${k === selected ? ' selected' : ''}`,
        title: `${label}${model}\n${count(input)} input (${count(cached)} cached) · ${count(output)} output (${count(thinking)} thinking) · ${duration(end - t.start[k])}`,
        attrs: { type: 'button', role: 'listitem' },
        on: { click: () => select(k) },
      },
      el('span', { class: 'bar-label' }, label),
      el('span', { class: 'bar-track' }, seg('cached', cached), seg('in', input - cached), seg('think', thinking), seg('out', output - thinking)),
      el('span', { class: 'bar-num' }, compact(total(t, k))),
    );
    list.appendChild(row);
  }
  box.appendChild(list);
  return box;
}

function total(t: SpanTable, k: number): number {
  const o = k * TOKEN_COLS;
  return t.tokens[o + TOK.total] || t.tokens[o + TOK.input] + t.tokens[o + TOK.output];
}
