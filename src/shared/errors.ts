// What was thrown, as text for a message or a log line. Anything may be thrown (a string, a
// rejected value from a library), so neither assumes an Error.

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** With the stack when there is one: for the log, not for a message. */
export function errorStack(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
