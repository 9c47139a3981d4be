// One raw span → one Span, as normalising reads each span of a trace's list.
import { decodeSpan } from './encodings';
import { lazySpanOf, toSpan } from './spanInfo';
import type { Span } from './types';
import { errorMessage } from '../shared/errors';

/** The span at `index` of its list, or undefined when it cannot be one; every problem goes to
 *  `bad` ("; skipped" when the span is left out). */
export function readSpan(raw: unknown, index: number, objectEncoding: 'python' | 'typescript', bad: (m: string) => void): Span | undefined {
  const d = decodeSpan(raw, index, objectEncoding, bad);
  if (typeof d === 'string') {
    bad(`${d}; skipped`);
    return undefined;
  }
  try {
    return toSpan(d);
  } catch (e) {
    // Keep the span with its raw attributes rather than lose it to one odd value.
    bad(`span #${index} "${d.name.slice(0, 80)}": ${errorMessage(e)}; shown without derived details`);
    const s = lazySpanOf(d, 'UNKNOWN');
    void s.attributes; // decoded before the inputs and outputs are dropped, as they always were
    s.inputs = null;
    s.outputs = null;
    return s;
  }
}
