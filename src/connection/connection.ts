// The one connection to MLflow: which server and experiment (settings, else the environment,
// else defaults), its credentials (SecretStorage), and whether it answers. Every part reports
// request outcomes here, so the status bar and the welcome views follow reality.
import * as vscode from 'vscode';
import { CONTEXT } from '../contributions/ids';
import { affectsSetting, inspectSetting, setting } from '../contributions/settings';
import type { AuthConfig, MlflowApi } from '../mlflow/api';
import { MlflowClient } from '../mlflow/client';
import { isMlflowError, MlflowError } from '../mlflow/errors';
import type { ConnectionState } from '../core/services';
import type { ConnectionControl } from './control';
import { CredentialStore, credentialsEnv, normalizeServer, secretValues, type Credentials } from './credentials';
import { redact } from './secrets';
import { errorMessage } from '../shared/errors';

const WRITES = new Set(['createExperiment', 'deleteTraces', 'setTraceTag', 'deleteTraceTag']);
const DOWN_REPROBE_MS = 30_000;

export class ConnectionImpl implements ConnectionControl, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  readonly credentials: CredentialStore;
  private readonly disposables: vscode.Disposable[] = [];
  private currentState: ConnectionState = 'connecting';
  private error: string | undefined;
  private override: string | undefined;
  private auth: Credentials | undefined;
  /** Settles when the credentials of the current server have been read. */
  private authLoaded: Promise<void>;
  private cached: { key: string; client: MlflowClient } | undefined;
  /** Bumped by reset(): requests remember it, so a late answer from the old server is dropped. */
  private generation = 0;

  constructor(
    context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.credentials = new CredentialStore(context.secrets);
    this.authLoaded = this.loadAuth();
    this.setContextKey();
    this.disposables.push(
      this.emitter,
      this.credentials,
      this.credentials.onDidChange((server) => {
        if (server === normalizeServer(this.trackingUri)) this.reset('credentials changed');
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSetting(e, 'trackingUri', 'experiment', 'requestTimeout')) {
          this.reset('settings changed');
        }
      }),
    );
  }

  private probeTimer: NodeJS.Timeout | undefined;

  /**
   * Asks /health soon (never during activation itself), so the status bar leaves "connecting"
   * even when no view or run has made a request yet; while the server is down, asks again now
   * and then so the status bar notices it is back even when nothing else polls.
   */
  probeSoon(delayMs = 500): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.currentState === 'up' || this.currentState === 'unauthorized') return; // already known
      this.client().health().then(
        () => this.report(true),
        (e: unknown) => {
          this.report(false, e);
          if (this.currentState === 'down') this.probeSoon(DOWN_REPROBE_MS);
        },
      );
    }, delayMs);
  }

  own(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  get trackingUri(): string {
    if (this.override) return this.override;
    const i = inspectSetting('trackingUri');
    const set = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    return (set?.trim() || process.env.MLFLOW_TRACKING_URI?.trim() || setting('trackingUri')).replace(/\/+$/, '');
  }

  /** Where trackingUri came from, for the status bar tooltip. */
  get trackingUriSource(): 'local server' | 'setting' | 'MLFLOW_TRACKING_URI' | 'default' {
    if (this.override) return 'local server';
    const i = inspectSetting('trackingUri');
    if ((i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue)?.trim()) return 'setting';
    return process.env.MLFLOW_TRACKING_URI?.trim() ? 'MLFLOW_TRACKING_URI' : 'default';
  }

  get experimentName(): string | undefined {
    const set = setting('experiment').trim();
    return set || process.env.MLFLOW_EXPERIMENT_NAME?.trim() || undefined;
  }

  get experimentId(): string | undefined {
    return this.experimentName ? undefined : process.env.MLFLOW_EXPERIMENT_ID?.trim() || undefined;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get lastError(): string | undefined {
    return this.currentState === 'up' ? undefined : this.error;
  }

  get credentialsInUse(): Credentials | undefined {
    return this.auth;
  }

  /**
   * A stable client for whatever server and credentials are current when each request starts.
   * Every request first waits for the credentials to be read, so the first request after
   * activation never goes out unauthenticated.
   */
  client(): MlflowApi {
    return this.facade;
  }

  private readonly facade: MlflowApi = new Proxy({} as MlflowApi, {
    get: (_target, prop) => {
      if (typeof prop !== 'string' || prop === 'then') return undefined; // never look like a Promise
      if (prop === 'baseUrl') return this.currentClient().baseUrl;
      if (prop === 'traceUiUrl') return (experimentId: string, traceId: string) => this.currentClient().traceUiUrl(experimentId, traceId);
      return async (...args: unknown[]) => {
        await this.authLoaded;
        // Writes keep their real outcome: they did happen on the server they went to.
        const generation = WRITES.has(prop) ? undefined : this.generation;
        const c = this.currentClient() as unknown as Record<string, (...a: unknown[]) => unknown>;
        if (typeof c[prop] !== 'function') throw new TypeError(`MlflowApi has no method ${prop}`);
        try {
          const result = await c[prop](...args);
          if (generation !== undefined && generation !== this.generation) throw this.stale(prop);
          return result;
        } catch (e) {
          // An answer (or failure) of the previous server must not be reported as the new one's state.
          if (generation !== undefined && generation !== this.generation && !(isMlflowError(e) && e.kind === 'cancelled')) throw this.stale(prop);
          throw e;
        }
      };
    },
  });

  /** A request that started before the server or credentials changed: its outcome is moot. */
  private stale(method: string): MlflowError {
    return new MlflowError('cancelled', `Request ${method} was dropped: the MLflow server or its credentials changed while it ran (now ${this.trackingUri}).`);
  }

  /** The server or credentials changed: the old client's requests under way stop before they
   *  send another (a trace's spans after its info), and the next request makes a new client. */
  private dropClient(): void {
    this.cached?.client.close();
    this.cached = undefined;
  }

  private currentClient(): MlflowApi {
    const timeoutMs = Math.max(1000, setting('requestTimeout'));
    const uri = this.trackingUri;
    const key = `${uri}\n${timeoutMs}\n${this.auth ? JSON.stringify(this.auth) : ''}`;
    if (this.cached?.key !== key) {
      const auth: AuthConfig = this.auth ?? { kind: 'none' };
      const secrets = secretValues(this.auth);
      const client = new MlflowClient({
        trackingUri: uri,
        auth,
        timeoutMs,
        log: (level, message) => this.log[level](redact(message, secrets)),
      });
      this.cached = { key, client };
    }
    return this.cached.client;
  }

  report(ok: boolean, error?: unknown): void {
    if (ok) return this.setState('up', undefined);
    if (!isMlflowError(error)) return; // not about the connection (e.g. a trace that failed to parse)
    switch (error.kind) {
      case 'unauthorized':
      case 'forbidden':
        return this.setState('unauthorized', error.message);
      case 'connection-refused':
      case 'unreachable':
      case 'timeout':
      case 'server-error':
      case 'malformed-response':
        return this.setState('down', error.message);
      case 'cancelled':
        return;
      case 'unsupported':
        // Missing an endpoint every MLflow has (no `since`): not an MLflow server, or a URI
        // without its path prefix. Nothing will work there, so say so instead of "connected".
        if (!error.details.since) return this.setState('down', error.message);
        return this.setState('up', undefined); // an older MLflow: it answers, this request needs a newer one
      default:
        // bad-request, not-found: the server answered, the request was wrong.
        return this.setState('up', undefined);
    }
  }

  async injectionEnv(): Promise<Record<string, string>> {
    await this.authLoaded;
    const uri = this.trackingUri;
    return { MLFLOW_TRACKING_URI: uri, ...credentialsEnv(this.auth) };
  }

  /** Points at a server this window started (not persisted: the server stops with the window). */
  setLocalOverride(url: string | undefined): void {
    if (this.override === url) return;
    this.override = url;
    this.reset(url ? `using local server ${url}` : 'local server stopped');
  }

  get localOverride(): string | undefined {
    return this.override;
  }

  /** Server, experiment or credentials changed: start over in 'connecting'. */
  private reset(why: string): void {
    this.log.info(`connection: ${why}; tracking URI ${this.trackingUri}`);
    this.generation++;
    this.authLoaded = this.loadAuth();
    this.dropClient();
    this.currentState = 'connecting';
    this.error = undefined;
    this.setContextKey();
    this.emitter.fire();
    this.probeSoon();
  }

  private async loadAuth(): Promise<void> {
    const uri = this.trackingUri;
    try {
      const c = await this.credentials.get(uri);
      if (uri === this.trackingUri) {
        this.auth = c;
        this.dropClient();
      }
    } catch (e) {
      this.log.warn(`connection: could not read credentials from secret storage: ${errorMessage(e)}`);
      this.auth = undefined;
    }
  }

  private setState(next: ConnectionState, error: string | undefined): void {
    const changed = next !== this.currentState || (next !== 'up' && error !== this.error);
    this.error = error;
    if (!changed) return;
    if (next !== this.currentState) this.log.info(`connection: ${this.currentState} → ${next}${error ? ` (${error})` : ''}`);
    this.currentState = next;
    this.setContextKey();
    this.emitter.fire();
    if (next === 'down') this.probeSoon(DOWN_REPROBE_MS);
  }

  private setContextKey(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.connection, this.currentState);
    // The welcome view can then name the server when it is the default one.
    void vscode.commands.executeCommand('setContext', CONTEXT.defaultServer, this.trackingUri === inspectSetting('trackingUri')?.defaultValue);
  }

  dispose(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
