// The call-site capture's depth (src/inject/node/callsite.ts): a framework whose own frames put the
// app's line past the first capture's reach is captured twice on its first call only.
import * as assert from 'node:assert/strict';
import { captureCallSite, ignoreFile } from '../../src/inject/node/callsite';
import { throughFrames } from '../helpers/deepCaller';
import { markedLine } from '../helpers/traceView';

/** How many stack captures `f` makes. */
function captures<T>(f: () => T): { value: T; count: number } {
  const original = Error.captureStackTrace;
  let count = 0;
  Error.captureStackTrace = function (this: unknown, ...args: Parameters<typeof original>) {
    count++;
    return original.apply(this, args);
  } as typeof original;
  try {
    return { value: f(), count };
  } finally {
    Error.captureStackTrace = original;
  }
}

describe('Node preload: call-site depth', () => {
  before(() => ignoreFile(require.resolve('../helpers/deepCaller')));

  it('finds the line below a framework’s frames, then reaches it in one capture', () => {
    const deep = () => throughFrames(14); // @call:deep
    const first = captures(deep);
    assert.equal(first.value?.filepath, __filename);
    assert.equal(first.value?.lineno, markedLine(__filename, 'deep'));
    assert.equal(first.count, 2, 'the first call looks again, deeper');
    const again = captures(deep);
    assert.equal(again.value?.lineno, markedLine(__filename, 'deep'));
    assert.equal(again.count, 1, 'a later call at the same depth captures once');
  });

  it('still names a direct caller’s line after a deep one', () => {
    const site = (function direct() {
      return captureCallSite(); // @call:direct
    })();
    assert.equal(site?.lineno, markedLine(__filename, 'direct'));
    assert.equal(site?.function, 'direct');
  });
});
