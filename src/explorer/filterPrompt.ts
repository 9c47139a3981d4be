// The filter picker: quick picks for errors only, model and text, and a free MLflow filter
// expression checked by the server before it is applied (its 400 message shown in the box).
import * as vscode from 'vscode';
import { isMlflowError } from '../mlflow/errors';
import type { Services } from '../core/services';
import { MLFLOW_META } from '../shared/runTags';
import { SESSION_LABEL, sessionOf, type SessionKey } from '../model/sessions';
import { compileFilter, describeFilter, isEmptyFilter, lintExpression, type TraceFilter } from './filter';
import type { TraceTreeProvider } from './treeProvider';
import { errorMessage } from '../shared/errors';

type Step = 'errors' | 'model' | 'text' | 'session' | 'user' | 'feedback' | 'expression' | 'clear';

/** Returns the new filter, or undefined when the user cancelled. */
export async function promptFilter(services: Services, provider: TraceTreeProvider, preset?: unknown): Promise<TraceFilter | undefined> {
  const current = provider.filter;
  if (preset && typeof preset === 'object' && !Array.isArray(preset) && !('traceId' in preset)) {
    // Programmatic use (tests, other features): validate like typed input, report instead of asking.
    const f = preset as TraceFilter;
    const problem = (f.expression && lintExpression(f.expression)) || (await serverCheck(services, provider, f));
    if (problem) {
      void vscode.window.showErrorMessage(`Gemini Trace: filter not applied: ${problem}`);
      return undefined;
    }
    return f;
  }

  const picked = await pickStep(current);
  if (!picked) return undefined;
  if (picked.step === 'clear') return {};
  if (picked.step === 'errors') return { ...current, errorsOnly: !current.errorsOnly };
  if (picked.step === 'expression') {
    const expression = await askExpression(services, provider, picked.typed ?? current.expression ?? '');
    return expression === undefined ? undefined : { ...current, expression };
  }
  if (picked.step === 'text') {
    const text = await vscode.window.showInputBox({
      title: 'Filter traces by text',
      prompt: 'Traces whose prompts, responses or attributes contain this text (case-insensitive)',
      value: current.text ?? '',
      ignoreFocusOut: true,
    });
    return text === undefined ? undefined : { ...current, text: text.trim() || undefined };
  }
  if (picked.step === 'session' || picked.step === 'user' || picked.step === 'feedback') return pickMore(picked.step, provider, current);
  const model = await pickModel(provider, current.model);
  return model === undefined ? undefined : { ...current, model: model || undefined };
}

async function pickStep(current: TraceFilter): Promise<{ step: Step; typed?: string } | undefined> {
  type Item = vscode.QuickPickItem & { step: Step };
  const items: Item[] = [
    { step: 'errors', label: `${current.errorsOnly ? '$(check)' : '$(error)'} Errors only`, description: "trace.status = 'ERROR'" },
    { step: 'model', label: '$(sparkle) Model…', description: current.model ? `now: ${current.model}` : 'span.attributes.`mlflow.llm.model`' },
    { step: 'text', label: '$(search) Text…', description: current.text ? `now: “${current.text}”` : 'prompts, responses and attributes contain…' },
    { step: 'session', label: '$(layers) Session…', description: current.session ? `now: ${current.session.id}` : 'a session, chat or conversation' },
    { step: 'user', label: '$(account) User…', description: current.user ? `now: ${current.user}` : 'metadata.`mlflow.trace.user`' },
    { step: 'feedback', label: '$(thumbsup) Feedback…', description: current.feedback ? `now: ${current.feedback}` : 'thumbs up or down (user_feedback)' },
    { step: 'expression', label: '$(filter) MLflow Filter Expression…', description: current.expression ?? "e.g. trace.execution_time_ms > 2000" },
  ];
  if (!isEmptyFilter(current)) items.push({ step: 'clear', label: '$(clear-all) Clear Filter', description: describeFilter(current) });
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Filter Traces';
  qp.placeholder = 'Pick a filter, or type an MLflow filter expression and press Enter';
  qp.items = items;
  qp.matchOnDescription = true;
  return runQuickPick(qp, () => {
    const item = qp.activeItems[0];
    if (item) return { step: item.step };
    return qp.value.trim() ? { step: 'expression' as const, typed: qp.value.trim() } : undefined;
  });
}

async function pickModel(provider: TraceTreeProvider, current: string | undefined): Promise<string | undefined> {
  const seen = new Map<string, number>();
  for (const s of provider.loadedSummaries()) for (const m of s.models) seen.set(m, (seen.get(m) ?? 0) + 1);
  const items: vscode.QuickPickItem[] = [...seen.entries()].sort((a, b) => b[1] - a[1]).map(([m, n]) => ({ label: m, description: `${n} loaded trace${n === 1 ? '' : 's'}` }));
  const ANY = '$(close) Any Model';
  if (current) items.push({ label: ANY, description: 'remove the model filter', alwaysShow: true });
  const qp = vscode.window.createQuickPick();
  qp.title = 'Filter traces by model';
  qp.placeholder = items.length ? 'Pick a model seen in loaded traces, or type part of a model name' : 'Type part of a model name, e.g. gemini-2.5-flash';
  qp.items = items;
  return runQuickPick(qp, () => {
    const label = qp.activeItems[0]?.label;
    return label === ANY ? '' : (label ?? qp.value.trim());
  });
}

function askExpression(services: Services, provider: TraceTreeProvider, initial: string): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = 'MLflow filter expression';
  box.prompt = "MLflow search syntax, clauses joined with AND: trace.status = 'ERROR' AND trace.execution_time_ms > 2000 AND tags.`gemini_trace.run_name` LIKE '%app%'";
  box.value = initial;
  box.ignoreFocusOut = true;
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue((v) => (box.validationMessage = lintExpression(v)));
    box.onDidAccept(async () => {
      const expr = box.value.trim();
      const lint = lintExpression(expr);
      if (lint) {
        box.validationMessage = lint;
        return;
      }
      box.busy = true;
      box.enabled = false;
      const problem = await serverCheck(services, provider, { ...provider.filter, expression: expr });
      box.busy = false;
      box.enabled = true;
      if (problem) box.validationMessage = problem;
      else finish(expr);
    });
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}

/** Asks the server to run the filter once; returns its complaint, if it has one. */
async function serverCheck(services: Services, provider: TraceTreeProvider, f: TraceFilter): Promise<string | undefined> {
  const filter = compileFilter(f);
  if (!filter) return undefined;
  const ids = await provider.watchedExperimentIds().catch(() => [] as string[]);
  try {
    await services.connection.client().searchTraces({ experimentIds: ids.length ? ids : ['0'], filter, maxResults: 1 });
    return undefined;
  } catch (e) {
    if (isMlflowError(e) && e.kind === 'bad-request') return `MLflow rejected the filter: ${e.message}`;
    // Unreachable or similar: the filter may be fine; the tree will show the real error.
    services.log.warn(`explorer: could not check the filter with the server: ${errorMessage(e)}`);
    return undefined;
  }
}

/** Session, user and feedback: picked from what the loaded traces hold (a user can be typed). */
async function pickMore(step: 'session' | 'user' | 'feedback', provider: TraceTreeProvider, current: TraceFilter): Promise<TraceFilter | undefined> {
  type Item = vscode.QuickPickItem & { apply: (f: TraceFilter) => TraceFilter };
  const items: Item[] = [];
  const loaded = provider.loadedSummaries();
  if (step === 'feedback') {
    items.push(
      { label: '$(thumbsup) Thumbs Up', apply: (f) => ({ ...f, feedback: 'up' }) },
      { label: '$(thumbsdown) Thumbs Down', apply: (f) => ({ ...f, feedback: 'down' }) },
      { label: '$(feedback) Any Thumbs', description: 'user_feedback recorded', apply: (f) => ({ ...f, feedback: 'any' }) },
    );
  } else if (step === 'session') {
    const seen = new Map<string, { key: SessionKey; n: number }>();
    for (const s of loaded) {
      const key = sessionOf(s);
      if (!key) continue;
      const k = `${key.kind}:${key.id}`;
      seen.set(k, { key, n: (seen.get(k)?.n ?? 0) + 1 });
    }
    for (const { key, n } of [...seen.values()].sort((a, b) => b.n - a.n)) items.push({ label: key.id, description: `${SESSION_LABEL[key.kind]} · ${n} loaded trace${n === 1 ? '' : 's'}`, apply: (f) => ({ ...f, session: key }) });
  } else {
    const users = new Map<string, number>();
    for (const s of loaded) {
      const u = s.metadata[MLFLOW_META.user];
      if (u) users.set(u, (users.get(u) ?? 0) + 1);
    }
    for (const [u, n] of [...users].sort((a, b) => b[1] - a[1])) items.push({ label: u, description: `${n} loaded trace${n === 1 ? '' : 's'}`, apply: (f) => ({ ...f, user: u }) });
  }
  const field = step === 'feedback' ? 'feedback' : step;
  if (current[field]) items.push({ label: '$(close) Any', description: `remove the ${step} filter`, alwaysShow: true, apply: (f) => ({ ...f, [field]: undefined }) });
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `Filter traces by ${step}`;
  qp.placeholder = step === 'user' ? 'Pick a user seen in loaded traces, or type one' : items.length ? `Pick a ${step}` : `No ${step} in the loaded traces`;
  qp.items = items;
  return runQuickPick(qp, () => {
    const item = qp.activeItems[0];
    if (item) return item.apply(current);
    return step === 'user' && qp.value.trim() ? { ...current, user: qp.value.trim() } : undefined;
  });
}

/** Shows a quick pick until `accept` returns a value (Enter) or the user dismisses it (undefined).
 *  `accept` returning undefined keeps it open. */
function runQuickPick<T extends vscode.QuickPickItem, V>(qp: vscode.QuickPick<T>, accept: () => V | undefined): Promise<V | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: V | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const v = accept();
      if (v !== undefined) finish(v);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}
