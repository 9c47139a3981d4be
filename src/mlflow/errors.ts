// Every failure of the MLflow client is one of these: a discriminated kind the UI can branch on,
// and a message a user can act on (what went wrong, where, and how to fix it).

export type MlflowErrorKind =
  | 'connection-refused' // nothing listens at the URI
  | 'unreachable' // DNS failure, reset, TLS, network down
  | 'timeout'
  | 'cancelled'
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404 on a resource (experiment, trace)
  | 'unsupported' // endpoint missing: server too old
  | 'bad-request' // 400 INVALID_PARAMETER_VALUE and friends
  | 'server-error' // 5xx
  | 'malformed-response'; // not JSON, or JSON of the wrong shape

export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  constructor(
    readonly kind: MlflowErrorKind,
    message: string,
    readonly details: { url?: string; status?: number; errorCode?: string; cause?: unknown; since?: string } = {},
  ) {
    super(message);
  }
}

export function isMlflowError(e: unknown): e is MlflowError {
  return e instanceof MlflowError;
}
