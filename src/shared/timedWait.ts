// A wait that something else ends, with a limit: the panel's read waits for the page to draw what
// it was posted, but never for a page that does not answer.

/** A wait that ends when `end` is called (again: nothing) or after `ms`. */
export function timedWait(ms: number): { done: Promise<void>; end: () => void } {
  let end = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    end = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, end };
}
