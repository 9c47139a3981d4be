// Frames between an app's line and the call-site capture, as a framework's own code puts them
// there (test/unit/callsite.test.ts marks this file as the preload's, so its frames are skipped).
import { captureCallSite, type CallSite } from '../../src/inject/node/callsite';

/** captureCallSite `depth` frames of this file below the caller. */
export function throughFrames(depth: number): CallSite | undefined {
  return depth <= 1 ? captureCallSite() : throughFrames(depth - 1);
}
