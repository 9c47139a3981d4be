// The webview's end of the typed protocol: commands out, requests out with a promise for the
// reply, notifications in. Messages from anywhere but the host's channel are ignored.
import type { Commands, HostToWebview, Notifications, PanelState, Requests } from '../src/contract/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface SavedState extends PanelState {
  tab?: string;
  nameWidth?: number;
  split?: string;
  scrollTop?: number;
  collapsed?: string[];
  view?: [number, number];
  query?: string;
}

type Handler<K extends keyof Notifications> = (params: Notifications[K]) => void;

export class Host {
  private readonly api: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers: { [K in keyof Notifications]?: Handler<K>[] } = {};

  constructor() {
    this.api = acquireVsCodeApi();
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data as HostToWebview));
  }

  command<K extends keyof Commands>(method: K, params: Commands[K]): void {
    this.api.postMessage({ kind: 'command', method, params });
  }

  request<K extends keyof Requests>(method: K, params: Requests[K]['params']): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ kind: 'request', id, method, params });
    });
  }

  on<K extends keyof Notifications>(method: K, handler: Handler<K>): void {
    ((this.handlers[method] ??= []) as Handler<K>[]).push(handler);
  }

  get state(): SavedState | undefined {
    const s = this.api.getState() as SavedState | undefined;
    return s && typeof s.traceId === 'string' ? s : undefined;
  }

  saveState(s: SavedState): void {
    this.api.setState(s);
  }

  private receive(m: HostToWebview): void {
    if (!m || typeof m !== 'object') return;
    if (m.kind === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    } else if (m.kind === 'notification') {
      for (const h of (this.handlers[m.method] ?? []) as Handler<typeof m.method>[]) {
        try {
          h(m.params as never);
        } catch (e) {
          console.error(`panel: ${m.method} handler failed`, e);
        }
      }
    }
  }
}
