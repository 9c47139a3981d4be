// Finding the code behind a span: resolve a recorded `code.filepath` against this workspace, and
// when a span recorded no location, look for the function it is named after.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Span, Trace } from '../model/types';

/** SDK entry points: a span named after one says nothing about the user's code. */
const SDK_METHODS = new Set([
  'generate_content', 'generatecontent', 'generate_content_stream', 'generatecontentstream', 'send_message', 'sendmessage',
  'send_message_stream', 'sendmessagestream', 'embed_content', 'embedcontent', 'count_tokens', 'counttokens', 'generate_images',
  'generateimages', 'compute_tokens', 'computetokens', 'models', 'chat', 'chats', 'asyncmodels', 'asyncchat', 'create',
]);

const SOURCE_GLOB = '**/*.{py,js,mjs,cjs,ts,mts,cts,jsx,tsx}';
const EXCLUDE_GLOB = '**/{node_modules,.venv,venv,env,.git,dist,out,build,site-packages,__pycache__,.mypy_cache,.tox}/**';
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_HITS = 20;

export interface FoundDefinition {
  uri: vscode.Uri;
  /** 1-based. */
  line: number;
  name: string;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a recorded path is in this workspace: as recorded when absolute and present; relative to
 * each workspace folder; re-rooted from the workspace the app ran in (trace tag) onto this one;
 * and last, the workspace file that shares the longest tail of path segments with it.
 */
export async function resolveCodePath(filepath: string, recordedWorkspace?: string): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const p = filepath.replace(/^file:\/\//, '');
  const isAbs = path.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p);
  if (isAbs && (await exists(vscode.Uri.file(p)))) return vscode.Uri.file(p);
  const relatives: string[] = [];
  if (!isAbs) relatives.push(p);
  if (isAbs && recordedWorkspace && isInside(p, recordedWorkspace)) relatives.push(path.relative(recordedWorkspace, p));
  for (const rel of relatives) {
    for (const f of folders) {
      const u = vscode.Uri.joinPath(f.uri, ...rel.split(/[\\/]/).filter(Boolean));
      if (await exists(u)) return u;
    }
  }
  const segments = p.split(/[\\/]/).filter(Boolean);
  if (!segments.length || !folders.length) return undefined;
  const base = segments[segments.length - 1];
  const hits = await vscode.workspace.findFiles(`**/${escapeGlob(base)}`, EXCLUDE_GLOB, 50);
  let best: vscode.Uri | undefined;
  let bestScore = 0;
  for (const h of hits) {
    const hs = h.fsPath.split(/[\\/]/).filter(Boolean);
    let k = 0;
    while (k < hs.length && k < segments.length && hs[hs.length - 1 - k] === segments[segments.length - 1 - k]) k++;
    if (k > bestScore) {
      best = h;
      bestScore = k;
    }
  }
  return best;
}

function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function escapeGlob(s: string): string {
  return s.replace(/[{}[\]*?!]/g, (c) => `[${c}]`);
}

/** Whether a recorded path names this file (absolute, or relative to a workspace folder, or by tail). */
export function pathMatches(recorded: string, file: vscode.Uri, recordedWorkspace?: string): boolean {
  const norm = (s: string) => s.replace(/\\/g, '/').replace(/^file:\/\//, '');
  const r = norm(recorded);
  const f = norm(file.fsPath);
  if (r === f) return true;
  const folder = vscode.workspace.getWorkspaceFolder(file);
  if (folder) {
    const rel = norm(path.relative(folder.uri.fsPath, file.fsPath));
    if (r === rel || r === `./${rel}`) return true;
    if (recordedWorkspace && norm(path.relative(recordedWorkspace, recorded)) === rel) return true;
  }
  // Same last three segments: the same project checked out somewhere else.
  const tail = (s: string) => s.split('/').filter(Boolean).slice(-3).join('/');
  return tail(r) === tail(f) && tail(r).includes('/');
}

/** Function names a span may be named after: its recorded function, its own name, then its ancestors'. */
export function functionCandidates(trace: Trace, span: Span): string[] {
  const out: string[] = [];
  const add = (raw: unknown) => {
    if (typeof raw !== 'string') return;
    for (const piece of raw.replace(/\(.*$/, '').split(/[.:#/\s]+/).reverse()) {
      if (/^[A-Za-z_$][\w$]*$/.test(piece) && !SDK_METHODS.has(piece.toLowerCase()) && !out.includes(piece)) {
        out.push(piece);
        break; // the last identifier of "Class.method" is the function
      }
    }
  };
  add(span.code?.function ?? span.attributes['code.function']);
  add(span.name);
  for (let p = span.parentId ? trace.byId.get(span.parentId) : undefined, hops = 0; p && hops < 20; p = p.parentId ? trace.byId.get(p.parentId) : undefined, hops++) {
    add(p.name);
  }
  return out.slice(0, 6);
}

function definitionPatterns(name: string): { py: RegExp; js: RegExp } {
  const n = name.replace(/[$]/g, '\\$');
  return {
    py: new RegExp(`^\\s*(?:async\\s+)?def\\s+${n}\\s*\\(|^\\s*class\\s+${n}\\b`),
    js: new RegExp(
      `\\bfunction\\s*\\*?\\s*${n}\\s*\\(|\\b(?:const|let|var)\\s+${n}\\s*=\\s*(?:async\\s*)?(?:function\\b|\\(|[A-Za-z_$][\\w$]*\\s*=>)|^\\s*(?:(?:public|private|protected|static|async|override)\\s+)*${n}\\s*\\([^)]*\\)\\s*(?::[^={]*)?\\{|\\b${n}\\s*:\\s*(?:async\\s*)?(?:function\\b|\\()|^\\s*(?:export\\s+)?class\\s+${n}\\b`,
    ),
  };
}

/** Searches the workspace's Python and JS/TS sources for definitions of the given names, in order. */
export async function findDefinitions(names: string[], token?: vscode.CancellationToken): Promise<FoundDefinition[]> {
  if (!names.length) return [];
  const files = await vscode.workspace.findFiles(SOURCE_GLOB, EXCLUDE_GLOB, MAX_FILES, token);
  const patterns = names.map((n) => ({ name: n, ...definitionPatterns(n) }));
  const hits: FoundDefinition[] = [];
  const decoder = new TextDecoder();
  for (const uri of files) {
    if (token?.isCancellationRequested || hits.length >= MAX_HITS) break;
    let text: string;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_FILE_BYTES) continue;
      text = decoder.decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue;
    }
    if (!patterns.some((p) => text.includes(p.name))) continue;
    const py = uri.path.endsWith('.py');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      for (const p of patterns) {
        if (lines[i].includes(p.name) && (py ? p.py : p.js).test(lines[i])) hits.push({ uri, line: i + 1, name: p.name });
      }
    }
  }
  // The span's own name first, then nearer ancestors: the order of `names`.
  return hits.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
}
