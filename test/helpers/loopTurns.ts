// How the event loop fared while some work ran: sliced work must give it turns, and the gaps
// between turns are how long the work held the thread.

/** Runs `work`, counting turns of the event loop (setImmediate) and the longest gap between them. */
export async function loopTurns<T>(work: () => Promise<T>): Promise<{ value: T; turns: number; longestGapMs: number }> {
  let turns = 0;
  let last = performance.now();
  let longestGapMs = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  running = false;
  // Work that never yielded shows as one gap that ends only now, before any turn could count it.
  longestGapMs = Math.max(longestGapMs, performance.now() - last);
  return { value, turns, longestGapMs };
}
