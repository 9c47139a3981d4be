// Reads a launch config's `envFile` (dotenv syntax), because the debuggers merge it UNDER the
// config's `env`: when we set `env.NODE_OPTIONS`, a NODE_OPTIONS from the envFile would be hidden,
// so we read it first and keep it behind ours. Pure Node.
import { readFileSync } from 'node:fs';

/** The variables of a dotenv file; {} when it does not exist (the debuggers treat it the same). */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Could not read envFile ${file}: ${(e as Error).message}`);
  }
  return parseEnvFile(text);
}

/** dotenv's rules: `KEY=value`, optional `export `, `#` comments, '…' "…" `…` quoting,
 *  `\n` expanded inside double quotes, a ` #` after an unquoted value starts a comment. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const line = /^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*('(?:\\'|[^'])*'|"(?:\\"|[^"])*"|`(?:\\`|[^`])*`|[^#\n]*)?[ \t]*(?:#.*)?$/gm;
  for (let m = line.exec(src); m; m = line.exec(src)) {
    let value = (m[2] ?? '').trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    }
    out[m[1]] = value;
  }
  return out;
}
