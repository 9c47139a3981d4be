// Tells the Traces view that MLflow took an upload from this process: the file at
// GEMINI_TRACE_SIGNAL (ENV.signal) is rewritten with the time in ms, and the extension, which
// watches it, asks MLflow for new traces then instead of on every tick.
// - Asynchronous (fs.writeFile with a callback): never blocks the app's thread. A pending write
//   holds exit only for as long as the write takes.
// - Silent: a missing directory or a read-only disk only means the view polls on its own clock,
//   so errors are dropped and nothing is printed.
// - At most one write per MIN_GAP_MS, on the leading edge: the extension keeps polling for a few
//   seconds after a signal, so a write skipped right after another loses nothing.
import { writeFile } from 'node:fs';

export const MIN_GAP_MS = 250;

/** A function to call after each accepted upload; a no-op without a file. */
export function signaller(file: string | undefined): () => void {
  if (!file) return () => {};
  // performance.now() for the gap: a wall clock set back must not silence the signal.
  let last = -Infinity;
  return () => {
    const now = performance.now();
    if (now - last < MIN_GAP_MS) return;
    last = now;
    try {
      writeFile(file, String(Date.now()), () => {});
    } catch {
      /* an invalid path throws synchronously: same as any other failure */
    }
  };
}
