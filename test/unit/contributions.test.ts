// The contributions module (src/contributions) against package.json: every command, view,
// context key and setting the code names is the one the manifest declares, with the same type,
// and the code names them nowhere else. Pure: reads files, starts nothing.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { COMMAND, CONTEXT, SECTION, SETTING, VIEW } from '../../src/contributions/ids';
import { manifestDefault } from '../../src/contributions/manifest';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

/** Every .ts file under src/ but the contributions module and the injected code (which never
 *  talks to VS Code), with its text. */
function sources(dir = join(root, 'src')): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    const rel = relative(root, p);
    if (e.isDirectory()) return rel === 'src/contributions' || rel === 'src/inject' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [{ file: rel, text: readFileSync(p, 'utf8') }] : [];
  });
}

/** The `when` clauses of menus, welcome views and key bindings. */
function whenClauses(): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'when' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk([contributes.menus, contributes.viewsWelcome, contributes.keybindings]);
  return out;
}

describe('contributions', () => {
  it('command ids are exactly the commands package.json declares, and each is registered', () => {
    const declared = (contributes.commands as { command: string }[]).map((c) => c.command).sort();
    assert.deepEqual(Object.values(COMMAND).sort(), declared);
    const code = sources().map((s) => s.text).join('\n');
    const unregistered = Object.entries(COMMAND).filter(([key]) => !code.includes(`registerCommand(COMMAND.${key},`) && !code.includes(`registerCommand(\n      COMMAND.${key},`));
    assert.deepEqual(unregistered.map(([, id]) => id), [], 'declared commands no code registers');
  });

  it('view ids are the manifest\'s', () => {
    const views = Object.values(contributes.views).flat() as { id: string }[];
    assert.ok(views.some((v) => v.id === VIEW.traces), `no view ${VIEW.traces} in package.json`);
    assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${VIEW.tracePanel}`), 'the trace panel is restored after a reload');
  });

  it('context keys are exactly those the manifest\'s when clauses read', () => {
    const read = new Set(whenClauses().flatMap((w) => w.match(/geminiTrace\.[\w.]+/g) ?? []));
    for (const v of Object.values(VIEW)) read.delete(v); // `view == geminiTrace.traces` names a view
    assert.deepEqual(Object.values(CONTEXT).sort(), [...read].sort());
  });

  it('settings and their types are exactly the manifest\'s, and every one has a default there', () => {
    const props = contributes.configuration.properties as Record<string, { type: string; default?: unknown }>;
    const declared = Object.fromEntries(Object.entries(props).map(([k, v]) => [k.slice(SECTION.length + 1), v.type]));
    assert.deepEqual({ ...SETTING }, declared);
    for (const key of Object.keys(SETTING) as (keyof typeof SETTING)[]) {
      assert.equal(typeof manifestDefault(key), SETTING[key], `default of ${SECTION}.${key}`);
    }
    assert.equal(manifestDefault('trackingUri'), props[`${SECTION}.trackingUri`].default);
  });

  it('no code outside src/contributions names a command, view, context key or setting by its literal id, or reads settings itself', () => {
    const found = sources().flatMap(({ file, text }) => [
      ...idLiterals(file, text).map((id) => `${file}: '${id}'`),
      ...(/getConfiguration\(\s*(['"`])geminiTrace\1|getConfiguration\(\s*SECTION/.test(text) ? [`${file}: getConfiguration of ${SECTION}`] : []),
    ]);
    assert.deepEqual(found, []);
  });
});

/** String literals in `text` that are a whole 'geminiTrace.…' id (not comments, not messages). */
function idLiterals(file: string, text: string): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /^geminiTrace\.[\w.]+$/.test(n.text)) out.push(n.text);
    n.forEachChild(visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest));
  return out;
}
