// A JSON parser that keeps integers outside JavaScript's safe range (|n| > 2^53 - 1) exact.
//
// MLflow sends int64 nanosecond span times as bare JSON numbers (e.g. 1767225600123456789);
// JSON.parse rounds them to the nearest double and the last digits are lost. A hand-written
// recursive parser would be several times slower than V8's native one on multi-MB traces, so
// instead the text is rewritten before JSON.parse: every bare integer literal that a double cannot
// hold exactly is wrapped in quotes. Such literals are rare (a few per span), so the rewrite only
// looks at candidates (runs of 16+ digits that start and end a number token) and decides whether
// each one sits inside a string literal by walking the quote characters in between with indexOf.
// Digits inside strings (including JSON encoded inside a string, as in Python's traces.json) are
// never touched. Unsafe integers come back as decimal strings, every other number as a number.

// A number token: not preceded by a digit, letter, '.', or exponent sign; not followed by a
// fraction or exponent (12345678901234567.5 stays a lossy float: it is not an integer).
const CANDIDATE = /(?<![\w.+-])-?\d{16,}(?![\w.])/g;
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER); // 9007199254740991, 16 digits
const BACKSLASH = 92;

export function isUnsafeInteger(literal: string): boolean {
  const abs = literal.charCodeAt(0) === 45 /* - */ ? literal.slice(1) : literal;
  if (abs.length !== MAX_SAFE.length) return abs.length > MAX_SAFE.length;
  return abs > MAX_SAFE; // same length: lexicographic order is numeric order
}

/** True when the quote at `q` is escaped (preceded by an odd number of backslashes). */
function isEscaped(text: string, q: number): boolean {
  let n = 0;
  while (q - 1 - n >= 0 && text.charCodeAt(q - 1 - n) === BACKSLASH) n++;
  return n % 2 === 1;
}

/** Parses JSON like JSON.parse, but integers beyond ±(2^53 - 1) come back as decimal strings. */
export function parseJsonLossless(text: string): unknown {
  const at: number[] = [];
  let inString = false;
  let nextQuote = text.indexOf('"');
  for (const m of text.matchAll(CANDIDATE)) {
    const i = m.index;
    if (!isUnsafeInteger(m[0])) continue;
    // Walk the quotes between the last candidate and this one to learn whether we are in a string.
    while (nextQuote !== -1 && nextQuote < i) {
      // Outside strings a quote always opens one; inside, only an unescaped quote closes it.
      if (!inString || !isEscaped(text, nextQuote)) inString = !inString;
      nextQuote = text.indexOf('"', nextQuote + 1);
    }
    if (!inString) at.push(i, i + m[0].length);
  }
  return parseQuoted(text, 0, text.length, at);
}

/** JSON.parse of text[from, to), with the integer literals at [at[k], at[k + 1]) (pairs of
 *  indices in `text`, ascending) quoted: the lossless parse once the literals are found (also by
 *  jsonSteps.ts, which finds them while it looks for where a value ends). `list`: the text is
 *  values separated by commas, parsed as the list of them. */
export function parseQuoted(text: string, from: number, to: number, at: readonly number[], list = false): unknown {
  const [open, close] = list ? ['[', ']'] : ['', ''];
  if (!at.length) return JSON.parse(open + text.slice(from, to) + close);
  const parts: string[] = [open];
  let copied = from; // text before this index is already in parts
  for (let k = 0; k < at.length; k += 2) {
    parts.push(text.slice(copied, at[k]), '"', text.slice(at[k], at[k + 1]), '"');
    copied = at[k + 1];
  }
  parts.push(text.slice(copied, to), close);
  try {
    return JSON.parse(parts.join(''));
  } catch {
    // Malformed input: report the error at its position in the original text, not the rewrite.
    return JSON.parse(open + text.slice(from, to) + close);
  }
}
