// DOM building for the panel. Every piece of trace content reaches the page through textContent
// or a property, never through HTML parsing: there is no innerHTML anywhere in webview/.

type Attrs = {
  class?: string;
  title?: string;
  role?: string;
  tabIndex?: number;
  /** Plain attributes (aria-*, data-*, slot, …); never `style` or `on*`. */
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
};

export type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Attrs | null, ...children: Child[]): HTMLElement;
export function el(tag: string, props: Attrs | null = null, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  if (props) {
    if (props.class) e.className = props.class;
    if (props.title !== undefined) e.title = props.title;
    if (props.role) e.setAttribute('role', props.role);
    if (props.tabIndex !== undefined) e.tabIndex = props.tabIndex;
    if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) setSafeAttr(e, k, v);
    if (props.on) for (const [k, f] of Object.entries(props.on)) e.addEventListener(k, f as EventListener);
  }
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Attributes that could run code or load something are refused outright. */
export function setSafeAttr(e: Element, name: string, value: string): void {
  const n = name.toLowerCase();
  if (n.startsWith('on') || n === 'style' || n === 'href' || n === 'src' || n === 'srcdoc' || n === 'action' || n === 'formaction') {
    throw new Error(`refusing to set attribute ${name}`);
  }
  e.setAttribute(name, value);
}

export function icon(name: string, extra = ''): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = `codicon codicon-${name}${extra ? ` ${extra}` : ''}`;
  s.setAttribute('aria-hidden', 'true');
  return s;
}

export function clear(e: Element): void {
  while (e.lastChild) e.removeChild(e.lastChild);
}

/** A small text button in VS Code's link style (an <a> would invite navigation). */
export function linkButton(label: Child, title: string, onClick: (e: MouseEvent) => void, cls = ''): HTMLButtonElement {
  return el('button', { class: `link-button ${cls}`.trim(), title, attrs: { type: 'button' }, on: { click: onClick } }, label);
}

/** An icon-only button with an accessible name. */
export function iconButton(name: string, title: string, onClick: (e: MouseEvent) => void, cls = ''): HTMLButtonElement {
  return el('button', { class: `icon-button ${cls}`.trim(), title, attrs: { type: 'button', 'aria-label': title }, on: { click: onClick } }, icon(name));
}

/** Appends `text` to `parent`, wrapping each case-insensitive occurrence of a query word in <mark>. */
export function highlighted(parent: HTMLElement, text: string, words: readonly string[]): void {
  if (!words.length) {
    parent.textContent = text;
    return;
  }
  clear(parent);
  const lower = text.toLowerCase();
  let at = 0;
  while (at < text.length) {
    let best = -1;
    let len = 0;
    for (const w of words) {
      const i = lower.indexOf(w, at);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        len = w.length;
      }
    }
    if (best < 0) break;
    if (best > at) parent.appendChild(document.createTextNode(text.slice(at, best)));
    const m = document.createElement('mark');
    m.textContent = text.slice(best, best + len);
    parent.appendChild(m);
    at = best + len;
  }
  if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
}
