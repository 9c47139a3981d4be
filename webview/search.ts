// Search inside the trace: the query goes to the host (which also looks inside inputs, outputs
// and attributes), matches come back as span indices, highlighted in the tree with next/previous
// and an optional filter that keeps only matches and their ancestors. A long search's matches
// arrive as it finds them (the first at once), so the page moves to the first while it goes on.
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { Requests } from '../src/contract/protocol';
import { el, iconButton } from './dom';
import { count } from './format';

export interface SearchEvents {
  query(q: string): Promise<Requests['search']['result']>;
  matches(indices: number[] | null, words: string[], filter: boolean): void;
  goto(i: number): void;
  /** Index of the selected span, so next/previous start from it. */
  selected(): number;
  leave(): void;
}

export class SearchBar {
  readonly root: HTMLElement;
  readonly field: VscodeTextfield;
  private readonly countEl: HTMLElement;
  private readonly filterBtn: HTMLButtonElement;
  private matches: number[] = [];
  /** The host stopped at its cap: there are more matches than `matches`. */
  private truncated = false;
  /** While the host still searches: how far it has got (0–1). */
  private searching: number | undefined;
  /** The running query moves to its first match at or after the selection: not done yet. */
  private moveDue = false;
  private pos = -1;
  private filter = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  query = '';

  constructor(private readonly on: SearchEvents) {
    this.field = el('vscode-textfield', {
      class: 'search-field',
      title: 'Words match span names, types, models and content. Narrow a word with name:, type:, model: or status: (e.g. type:TOOL status:error); quote phrases.',
      attrs: { placeholder: 'Search spans (/)', 'aria-label': 'Search spans' },
    }) as VscodeTextfield;
    const searchIcon = el('span', { class: 'codicon codicon-search search-icon', attrs: { slot: 'content-before', 'aria-hidden': 'true' } });
    this.field.appendChild(searchIcon);
    this.countEl = el('span', { class: 'search-count', attrs: { 'aria-live': 'polite' } });
    this.filterBtn = iconButton('filter', 'Show only matching spans (and their parents)', () => this.toggleFilter(), 'toggle');
    this.filterBtn.setAttribute('aria-pressed', 'false');
    this.root = el(
      'div',
      { class: 'search-bar', role: 'search' },
      this.field,
      this.countEl,
      iconButton('arrow-up', 'Previous match (Shift+Enter)', () => this.step(-1)),
      iconButton('arrow-down', 'Next match (Enter)', () => this.step(1)),
      this.filterBtn,
    );
    this.field.addEventListener('input', () => this.changed());
    this.field.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === 'F3') {
        e.preventDefault();
        this.step(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        if (this.field.value) this.set('');
        this.on.leave();
      } else if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.on.leave();
      }
    });
  }

  focus(): void {
    this.field.focus();
    (this.field.shadowRoot?.querySelector('input') as HTMLInputElement | null)?.select();
  }

  set(q: string): void {
    this.field.value = q;
    this.changed(true);
  }

  /** Re-runs the query against a refreshed trace. */
  rerun(): void {
    // A refresh (or the host focusing a span) keeps the selection: only the matches update.
    if (this.query) this.changed(true, false);
  }

  private changed(now = false, move = true): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(move), now ? 0 : 150);
  }

  private async run(move = true): Promise<void> {
    const q = String(this.field.value ?? '').trim();
    this.query = q;
    const seq = ++this.seq;
    this.matches = [];
    this.truncated = false;
    this.pos = -1;
    this.searching = undefined;
    this.moveDue = false;
    if (!q) {
      this.countEl.textContent = '';
      this.root.classList.remove('no-results');
      this.on.matches(null, [], false);
      return;
    }
    this.countEl.textContent = '…';
    this.searching = 0;
    this.moveDue = move;
    // When the page's first search was asked and answered, on the machine's clock
    // (bench/panel-open.mjs reads them).
    const now = (): string => String(Math.round(performance.timeOrigin + performance.now()));
    document.body.dataset.searchAskedAt ??= now();
    try {
      const r = await this.on.query(q);
      document.body.dataset.searchedAt ??= now();
      if (seq !== this.seq) return; // a newer query superseded this one
      this.searching = undefined;
      this.matches = r.indices;
      this.truncated = r.truncated;
      // Where the matches found first already moved the selection, it stays (the user may have
      // stepped on since).
      this.pos = this.moveDue ? -1 : this.matches.indexOf(this.on.selected());
      this.on.matches(r.indices, highlightWords(q), this.filter);
      this.showCount();
      if (this.matches.length && this.moveDue) this.moveToFirst();
    } catch (e) {
      if (seq !== this.seq) return;
      this.searching = undefined;
      this.countEl.textContent = e instanceof Error ? e.message : 'Search failed';
    }
  }

  /** The host's search for `q` has got this far and found `found` since it last told (ascending,
   *  after the matches held): shown while it is still the query asked. */
  progress(q: string, fraction: number, found: readonly number[]): void {
    if (q !== this.query || this.searching === undefined) return;
    this.searching = fraction;
    if (found.length) {
      this.matches.push(...found);
      this.on.matches(this.matches, highlightWords(q), this.filter);
      // The first match at or after the selection is final once found: the host searches in row
      // order. One before it is not (a later one may follow the selection), so that waits.
      if (this.moveDue && lowerBound(this.matches, this.on.selected()) < this.matches.length) this.moveToFirst();
    }
    this.showCount();
  }

  private moveToFirst(): void {
    this.moveDue = false;
    this.step(1, true);
    document.body.dataset.searchFirstAt ??= String(Math.round(performance.timeOrigin + performance.now()));
  }

  private showCount(): void {
    const n = this.matches.length;
    const pct = this.searching === undefined ? undefined : `${Math.round(this.searching * 100)} %`;
    this.root.classList.toggle('no-results', !!this.query && n === 0 && pct === undefined);
    const at = `${this.pos >= 0 ? count(this.pos + 1) : '?'} of ${count(n)}`;
    this.countEl.textContent = !this.query ? '' : pct !== undefined ? (n ? `${at}… (${pct})` : `Searching… ${pct}`) : n === 0 ? 'No results' : `${at}${this.truncated ? '+' : ''}`;
  }

  /** Moves to the next (or previous) match after the selected span, wrapping around; a new
   *  query starts at the selection itself (`inclusive`). */
  step(dir: 1 | -1, inclusive = false): void {
    const n = this.matches.length;
    if (!n) return;
    this.moveDue = false;
    const sel = this.on.selected();
    if (this.pos < 0 || this.matches[this.pos] !== sel) {
      const firstAtOrAfter = lowerBound(this.matches, sel);
      const firstAfter = firstAtOrAfter < n && this.matches[firstAtOrAfter] === sel && !inclusive ? firstAtOrAfter + 1 : firstAtOrAfter;
      this.pos = dir > 0 ? firstAfter % n : (firstAtOrAfter - 1 + n) % n;
    } else this.pos = (this.pos + dir + n) % n;
    this.showCount();
    this.on.goto(this.matches[this.pos]);
  }

  private toggleFilter(): void {
    this.filter = !this.filter;
    this.filterBtn.classList.toggle('checked', this.filter);
    this.filterBtn.setAttribute('aria-pressed', String(this.filter));
    if (this.query) this.on.matches(this.matches, highlightWords(this.query), this.filter);
  }
}

/** Words of a query worth highlighting in span names (field-qualified words only if name:). */
export function highlightWords(q: string): string[] {
  const out: string[] = [];
  for (const m of q.matchAll(/(?:(name|type|model|status):)?(?:"([^"]*)"|(\S+))/gi)) {
    const w = (m[2] ?? m[3] ?? '').toLowerCase();
    if (w && (!m[1] || m[1].toLowerCase() === 'name')) out.push(w);
  }
  return out;
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
