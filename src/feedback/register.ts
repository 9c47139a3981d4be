// Feedback and expectations written to MLflow (its assessments REST API, so MLflow's UI shows
// them too): thumbs up or down, a score, or the expected answer, each with an optional rationale,
// on a trace or one of its spans. From the Traces view, the trace panel, or the command palette.
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import { setting } from '../contributions/settings';
import { COMMAND } from '../contributions/ids';
import type { NewAssessment } from '../mlflow/api';
import { FEEDBACK_NAMES, parseAssessments } from '../model/assessments';
import { toTraceRef } from '../shared/traceRef';
import type { Services } from '../core/services';
import type { TraceRef } from '../shared/traceRef';
import { errorMessage } from '../shared/errors';

export type FeedbackKind = 'up' | 'down' | 'score' | 'expectation';

/** What a test (or another feature) passes to skip the prompts; `rationale: ''` means none. */
export interface FeedbackPreset {
  kind: FeedbackKind;
  value?: unknown;
  rationale?: string;
  name?: string;
}

export function registerFeedback(services: Services): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND.addFeedback, (arg?: unknown, preset?: FeedbackPreset) => addFeedback(services, arg, preset)),
    vscode.commands.registerCommand(COMMAND.addExpectation, (arg?: unknown, preset?: Omit<FeedbackPreset, 'kind'>) => addFeedback(services, arg, { ...preset, kind: 'expectation' })),
  );
}

/** Asks what to record, writes it, and tells the views. Returns the assessment as MLflow stored it. */
export async function addFeedback(services: Services, arg: unknown, preset?: FeedbackPreset): Promise<unknown> {
  const ref = toTraceRef(arg);
  if (!ref) {
    void vscode.window.showErrorMessage('Gemini Trace: Add Feedback needs a trace. Pick one in the Traces view or open it in the trace panel.');
    return undefined;
  }
  const what = ref.spanId ? `span ${ref.spanId}` : `trace ${ref.traceId}`;
  const a = await ask(what, preset);
  if (!a) return undefined;
  if (ref.spanId) a.spanId = ref.spanId;
  a.sourceId = sourceId();
  try {
    const client = services.connection.client();
    const stored = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Saving feedback to MLflow…' }, () => client.createAssessment(ref.traceId, a));
    services.log.info(`feedback: ${a.kind} "${a.name}" on ${what} saved`);
    await refresh(services, ref);
    vscode.window.setStatusBarMessage(`$(check) ${a.kind === 'expectation' ? 'Expectation' : 'Feedback'} saved to MLflow`, 3000);
    return stored;
  } catch (e) {
    const message = errorMessage(e);
    services.log.warn(`feedback: saving to ${ref.traceId} failed: ${message}`);
    void vscode.window.showErrorMessage(`Gemini Trace: the feedback was not saved: ${message}`);
    return undefined;
  }
}

/** Reads the trace's assessments again and hands them to every view that shows them. */
async function refresh(services: Services, ref: TraceRef): Promise<void> {
  try {
    const info = await services.connection.client().getTraceInfo(ref.traceId);
    services.fireAssessments(ref.traceId, parseAssessments(info.assessments));
  } catch (e) {
    services.log.warn(`feedback: re-reading ${ref.traceId} failed: ${errorMessage(e)}`);
  }
}

/** Who the feedback is from: the setting, else the OS user name. */
function sourceId(): string {
  const configured = setting('feedback.sourceId').trim();
  if (configured) return configured;
  try {
    return userInfo().username;
  } catch {
    return 'vscode';
  }
}

async function ask(what: string, preset?: FeedbackPreset): Promise<NewAssessment | undefined> {
  let kind = preset?.kind;
  if (!kind) {
    type Item = vscode.QuickPickItem & { pick: FeedbackKind };
    const picked = await vscode.window.showQuickPick<Item>(
      [
        { pick: 'up', label: '$(thumbsup) Good', description: `${FEEDBACK_NAMES.thumbs} = true` },
        { pick: 'down', label: '$(thumbsdown) Bad', description: `${FEEDBACK_NAMES.thumbs} = false` },
        { pick: 'score', label: '$(symbol-number) Score…', description: `${FEEDBACK_NAMES.score}: a number` },
        { pick: 'expectation', label: '$(target) Expected Answer…', description: `${FEEDBACK_NAMES.expectation}: what the answer should have been` },
      ],
      { title: `Feedback on ${what}`, placeHolder: 'Recorded in MLflow as an assessment from you' },
    );
    if (!picked) return undefined;
    kind = picked.pick;
  }
  let value = preset?.value;
  if (value === undefined) {
    if (kind === 'up' || kind === 'down') value = kind === 'up';
    else if (kind === 'score') {
      const text = await vscode.window.showInputBox({
        title: `Score for ${what}`,
        prompt: 'A number, e.g. 0.8 or 4',
        ignoreFocusOut: true,
        validateInput: (v) => (Number.isFinite(Number(v)) && v.trim() !== '' ? undefined : 'Type a number.'),
      });
      if (text === undefined) return undefined;
      value = Number(text);
    } else {
      const text = await vscode.window.showInputBox({ title: `Expected answer for ${what}`, prompt: 'The answer it should have given (JSON is kept as JSON)', ignoreFocusOut: true });
      if (text === undefined || !text.trim()) return undefined;
      value = jsonOrText(text);
    }
  }
  let rationale = preset?.rationale;
  if (rationale === undefined) {
    rationale = await vscode.window.showInputBox({ title: `Why? (${what})`, prompt: 'A rationale, optional: press Enter to skip', ignoreFocusOut: true });
    if (rationale === undefined) return undefined;
  }
  const name = preset?.name ?? (kind === 'expectation' ? FEEDBACK_NAMES.expectation : kind === 'score' ? FEEDBACK_NAMES.score : FEEDBACK_NAMES.thumbs);
  return { kind: kind === 'expectation' ? 'expectation' : 'feedback', name, value, ...(rationale.trim() ? { rationale: rationale.trim() } : {}) };
}

function jsonOrText(text: string): unknown {
  const t = text.trim();
  if (!/^[[{]/.test(t)) return text;
  try {
    return JSON.parse(t);
  } catch {
    return text;
  }
}
