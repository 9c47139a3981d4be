// What the connection's own parts (status bar, commands, local server) need of the connection:
// more than the Connection every feature sees, less than its implementation, so none of them
// imports connection.ts (which would import them back).
import type { Connection } from '../core/services';
import type { CredentialStore, Credentials } from './credentials';

export interface ConnectionControl extends Connection {
  /** Where trackingUri came from, for the status bar tooltip. */
  readonly trackingUriSource: 'local server' | 'setting' | 'MLFLOW_TRACKING_URI' | 'default';
  readonly credentials: CredentialStore;
  readonly credentialsInUse: Credentials | undefined;
  /** The server this window started, while it points there. */
  readonly localOverride: string | undefined;
  /** Points at a server this window started (not persisted: the server stops with the window). */
  setLocalOverride(url: string | undefined): void;
}
