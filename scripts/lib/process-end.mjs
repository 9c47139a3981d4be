// Servers the scripts start (MLflow, PostgreSQL) run in process groups of their own, so they
// outlive this process unless it stops them. `onProcessEnd(cleanup)` runs a synchronous cleanup
// when this process exits, and also on SIGINT/SIGTERM/SIGHUP, which skip 'exit' handlers: then it
// cleans up and dies of the same signal. A signal some other code handles (a script's own Ctrl-C
// handling, which stops its servers itself) is left to that code.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const OURS = Symbol('gemini-trace.process-end');
const foreign = (sig) => process.listeners(sig).some((l) => !l[OURS]);

/** @param {() => void} cleanup  @returns {() => void} unregisters (call it after a normal stop) */
export function onProcessEnd(cleanup) {
  const mine = SIGNALS.filter((sig) => !foreign(sig));
  const off = () => {
    process.off('exit', cleanup);
    for (const sig of mine) process.off(sig, onSignal);
  };
  function onSignal(sig) {
    off();
    cleanup();
    // Every cleanup of ours runs in this same emit; the last one re-raises (the others' re-raise
    // is harmless), and with no listener left the default action ends the process.
    if (!foreign(sig)) process.kill(process.pid, sig);
  }
  onSignal[OURS] = true;
  process.on('exit', cleanup);
  for (const sig of mine) process.on(sig, onSignal);
  return off;
}
