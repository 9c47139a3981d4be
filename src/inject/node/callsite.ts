// The user's line that made a Gemini call: the first stack frame outside node_modules, Node's
// internals and this preload, mapped through a source map when the file has one (so a TypeScript
// app run by tsx, or compiled with tsc, points at its .ts line). Runs on the call path, so it
// captures structured call sites (no string formatting) and caches every map lookup per file.
import { existsSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CallSite {
  /** Absolute path. */
  filepath: string;
  /** 1-based. */
  lineno: number;
  function: string;
}

interface SourceMapLike {
  findEntry(line: number, column: number): { originalSource?: string; originalLine?: number; originalColumn?: number; name?: string } | Record<string, never>;
}

/** Frames captured first: a direct call's user frame is the third (ours, ours, the app's). */
const FIRST_FRAMES = 8;
/** Retried with this many when the app reaches the SDK through helpers of its own or a library. */
const MAX_FRAMES = 40;
/** Frames captured first from now on: enough to reach the deepest user frame found so far. A
 *  framework's own frames put the app's line deeper (the AI SDK 7's at the eleventh frame): without
 *  this every such call captured the stack twice, about 50 µs of each (bench/frameworks-overhead.mjs). */
let firstFrames = FIRST_FRAMES;
const ownFiles = new Set<string>();
const noMap = Symbol('no source map');
const maps = new Map<string, SourceMapLike | typeof noMap>();
/** Resolved call sites by raw position: a loop calling Gemini resolves its line once. */
const resolved = new Map<string, CallSite>();
const MAX_RESOLVED = 5000;

/** Files of the preload itself: never a user's call site. */
export function ignoreFile(file: string): void {
  ownFiles.add(file);
  if (file.startsWith('file:')) ownFiles.add(fileURLToPath(file));
  else ownFiles.add(pathToFileURL(file).href);
}

function isUserFrame(file: string | null | undefined): file is string {
  if (!file || ownFiles.has(file)) return false;
  if (file.startsWith('node:') || file.startsWith('internal/') || file.startsWith('data:') || file.startsWith('evalmachine')) return false;
  if (file.includes('/node_modules/') || file.includes('\\node_modules\\')) return false;
  return file.startsWith('file:') || isAbsolute(file);
}

function frames(limit: number): NodeJS.CallSite[] | undefined {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = (_e, cs) => cs;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, captureCallSite);
    return Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

/** The first user frame of the current stack, or undefined (never throws). */
export function captureCallSite(): CallSite | undefined {
  let stack = frames(firstFrames);
  let site = stack && firstUserSite(stack);
  if (!site && stack && stack.length >= firstFrames && firstFrames < MAX_FRAMES) {
    stack = frames(MAX_FRAMES);
    site = stack && firstUserSite(stack);
  }
  return site;
}

function firstUserSite(stack: NodeJS.CallSite[]): CallSite | undefined {
  for (let i = 0; i < stack.length; i++) {
    const f = stack[i];
    try {
      const file = f.getFileName();
      if (!isUserFrame(file)) continue;
      const line = f.getLineNumber() ?? 0;
      const column = f.getColumnNumber() ?? 0;
      const key = `${file}:${line}:${column}`;
      let site = resolved.get(key);
      if (!site) {
        const fn = f.getFunctionName() || (f.isToplevel() ? '<module>' : '<anonymous>');
        site = viaInstalledFormatter(f, file, line, fn) ?? resolveFrame(file, line, column, fn);
        if (resolved.size >= MAX_RESOLVED) resolved.clear();
        resolved.set(key, site);
      }
      // One frame to spare: the same call reached through one more helper still needs one capture.
      if (i + 2 > firstFrames) firstFrames = Math.min(MAX_FRAMES, i + 2);
      return site;
    } catch {
      /* a frame we cannot read: try the next */
    }
  }
  return undefined;
}

/** ts-node and other users of source-map-support map stack traces in their own
 *  Error.prepareStackTrace (Node's default is undefined): let it format this one frame and read
 *  the position back, when it moved. */
function viaInstalledFormatter(frame: NodeJS.CallSite, file: string, line: number, fn: string): CallSite | undefined {
  const format = Error.prepareStackTrace;
  if (typeof format !== 'function') return undefined;
  try {
    const text: unknown = format(new Error(), [frame]);
    if (typeof text !== 'string') return undefined;
    const last = text.trimEnd().split('\n').pop() ?? '';
    const m = /\(?((?:file:\/\/)?[^()\s][^()]*?):(\d+):(\d+)\)?$/.exec(last.trim());
    if (!m) return undefined;
    const mappedFile = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
    const mappedLine = Number(m[2]);
    const rawPath = file.startsWith('file:') ? fileURLToPath(file) : file;
    if ((mappedFile === rawPath && mappedLine === line) || !isAbsolute(mappedFile)) return undefined;
    return { filepath: mappedFile, lineno: mappedLine, function: fn };
  } catch {
    return undefined;
  }
}

function resolveFrame(file: string, line: number, column: number, fn: string): CallSite {
  const filepath = file.startsWith('file:') ? fileURLToPath(file) : file;
  const map = line > 0 ? sourceMapFor(file, filepath) : undefined;
  if (map) {
    const entry = map.findEntry(line - 1, Math.max(column - 1, 0));
    if (entry && typeof entry.originalLine === 'number' && entry.originalSource) {
      return {
        filepath: originalPath(entry.originalSource, filepath),
        lineno: entry.originalLine + 1,
        function: fn,
      };
    }
  }
  return { filepath, lineno: line, function: fn };
}

function originalPath(source: string, generated: string): string {
  if (source.startsWith('file:')) return fileURLToPath(source);
  if (isAbsolute(source)) return source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source)) return generated; // webpack://, etc.: no file on disk to open
  return resolve(dirname(generated), source);
}

function sourceMapFor(file: string, filepath: string): SourceMapLike | undefined {
  const cached = maps.get(file);
  if (cached !== undefined) return cached === noMap ? undefined : cached;
  let found: SourceMapLike | undefined;
  try {
    // Node keeps the maps of modules it loaded while source maps were enabled (tsx enables them,
    // as does --enable-source-maps); the key is the name the stack frame reported.
    found = (nodeModule.findSourceMap?.(file) ?? undefined) as SourceMapLike | undefined;
    if (!found) found = loadMapFromDisk(filepath);
  } catch {
    found = undefined;
  }
  maps.set(file, found ?? noMap);
  return found;
}

/** A `//# sourceMappingURL=` comment at the end of a .js file on disk (tsc, esbuild, babel). */
function loadMapFromDisk(filepath: string): SourceMapLike | undefined {
  const SourceMap = (nodeModule as unknown as { SourceMap?: new (payload: unknown) => SourceMapLike }).SourceMap;
  if (!SourceMap || !/\.[cm]?js$/.test(filepath) || !existsSync(filepath)) return undefined;
  const text = readFileSync(filepath, 'utf8');
  const m = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/.exec(text.slice(-4096).trimEnd() + '\n');
  if (!m) return undefined;
  const url = m[1];
  let payload: string;
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const meta = url.slice(5, comma);
    const data = url.slice(comma + 1);
    payload = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
  } else {
    const mapPath = url.startsWith('file:') ? fileURLToPath(url) : resolve(dirname(filepath), decodeURIComponent(url));
    if (!existsSync(mapPath)) return undefined;
    payload = readFileSync(mapPath, 'utf8');
    return withSourceRoot(new SourceMap(JSON.parse(payload)), mapPath, filepath);
  }
  return new SourceMap(JSON.parse(payload));
}

/** Sources in a separate .map file are relative to the map, not to the generated file. */
function withSourceRoot(map: SourceMapLike, mapPath: string, generated: string): SourceMapLike {
  if (dirname(mapPath) === dirname(generated)) return map;
  return {
    findEntry(line, column) {
      const e = map.findEntry(line, column) as { originalSource?: string };
      if (e.originalSource && !isAbsolute(e.originalSource) && !/^[a-z][a-z0-9+.-]*:/i.test(e.originalSource)) {
        return { ...e, originalSource: resolve(dirname(mapPath), e.originalSource) };
      }
      return e;
    },
  };
}
