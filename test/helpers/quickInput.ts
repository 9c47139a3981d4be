// Drives the real quick input and notifications of VS Code from inside the extension host, the
// way a user at the keyboard would: arrow down (workbench.action.quickOpenSelectNext), Enter
// (workbench.action.acceptSelectedQuickOpenItem), Escape (workbench.action.closeQuickOpen), and
// closing a notification (notifications.clearAll).
//
// What it observes: the extension's showQuickPick / showInputBox / showInformationMessage / showErrorMessage calls
// pass through wrappers (the extension shares this `vscode` API object, see hostSpy.ts) that
// forward to the real ones and keep a record. The record also says when the widget is really on
// screen: VS Code reports a quick pick's focused item through onDidSelectItem, and validates an
// input box's initial value as it shows it.
//
// Typing: VS Code 1.100 has no command that types into a quick input (`type` only reaches a
// focused code editor and does nothing here), so an answer queued with `answer()` becomes the
// input box's initial value, as if typed; the real widget then validates it, masks it when it is
// a password, and Enter or Escape decide as they would for a user.
import * as vscode from 'vscode';
import { waitFor } from './vscode';

export interface PickSeen {
  items: vscode.QuickPickItem[];
  options: vscode.QuickPickOptions | undefined;
  /** The item VS Code reports focused, once the pick is on screen. */
  active: vscode.QuickPickItem | undefined;
  settled: boolean;
  result: unknown;
}

export interface InputSeen {
  /** The options the extension passed (before any queued answer was filled in). */
  options: vscode.InputBoxOptions;
  /** Every value VS Code asked the extension to validate, and the verdicts. */
  validations: { value: string; message: unknown }[];
  settled: boolean;
  result: string | undefined;
}

export interface MessageSeen {
  severity: 'info' | 'error';
  message: string;
  items: unknown[];
  settled: boolean;
  result: unknown;
}

export interface QuickInputDriver extends vscode.Disposable {
  readonly picks: PickSeen[];
  readonly inputs: InputSeen[];
  readonly messages: MessageSeen[];
  /** Queues the text the next input box gets "typed" into it. */
  answer(...values: string[]): void;
  /** The n-th quick pick (0-based, counted since the driver was made), once it is on screen. */
  pick(n: number): Promise<PickSeen>;
  /** Moves the focus down until the focused item's label matches, then presses Enter. */
  choose(p: PickSeen, label: RegExp): Promise<void>;
  /** The n-th input box, once it is on screen. */
  input(n: number): Promise<InputSeen>;
  /** The first information or error message whose text matches, once it was shown. */
  message(text: RegExp): Promise<MessageSeen>;
  enter(): Promise<void>;
  escape(): Promise<void>;
}

const track = <T>(seen: { settled: boolean; result: unknown }, p: Thenable<T>): Thenable<T> => {
  p.then(
    (r) => Object.assign(seen, { settled: true, result: r }),
    () => Object.assign(seen, { settled: true, result: undefined }),
  );
  return p;
};

export function driveQuickInput(): QuickInputDriver {
  type Win = {
    showQuickPick: (items: unknown, options?: vscode.QuickPickOptions, token?: vscode.CancellationToken) => Thenable<unknown>;
    showInputBox: typeof vscode.window.showInputBox;
    showInformationMessage: (message: string, ...rest: unknown[]) => Thenable<unknown>;
    showErrorMessage: (message: string, ...rest: unknown[]) => Thenable<unknown>;
  };
  const win = vscode.window as unknown as Win;
  const original = { showQuickPick: win.showQuickPick, showInputBox: win.showInputBox, showInformationMessage: win.showInformationMessage, showErrorMessage: win.showErrorMessage };
  const picks: PickSeen[] = [];
  const inputs: InputSeen[] = [];
  const messages: MessageSeen[] = [];
  const answers: string[] = [];

  win.showQuickPick = (items, options, token) => {
    const seen: PickSeen = { items: [], options, active: undefined, settled: false, result: undefined };
    picks.push(seen);
    void Promise.resolve(items as vscode.QuickPickItem[]).then((i) => (seen.items = i));
    const onDidSelectItem = (item: vscode.QuickPickItem | string) => {
      seen.active = typeof item === 'string' ? { label: item } : item;
      return options?.onDidSelectItem?.(item);
    };
    return track(seen, original.showQuickPick.call(vscode.window, items, { ...options, onDidSelectItem }, token));
  };

  win.showInputBox = (options, token) => {
    const seen: InputSeen = { options: options ?? {}, validations: [], settled: false, result: undefined };
    inputs.push(seen);
    const validate = options?.validateInput;
    const validateInput = async (value: string) => {
      const message = validate ? await validate(value) : undefined;
      seen.validations.push({ value, message });
      return message;
    };
    const typed = answers.shift();
    const shown = { ...options, validateInput, ...(typed !== undefined ? { value: typed } : {}) };
    return track(seen, original.showInputBox.call(vscode.window, shown, token)) as Thenable<string | undefined>;
  };

  win.showInformationMessage = (message, ...rest) => {
    const seen: MessageSeen = { severity: 'info', message, items: rest, settled: false, result: undefined };
    messages.push(seen);
    return track(seen, original.showInformationMessage.call(vscode.window, message, ...rest));
  };
  win.showErrorMessage = (message, ...rest) => {
    const seen: MessageSeen = { severity: 'error', message, items: rest, settled: false, result: undefined };
    messages.push(seen);
    return track(seen, original.showErrorMessage.call(vscode.window, message, ...rest));
  };

  if (vscode.window.showInputBox !== win.showInputBox) throw new Error('vscode.window cannot be observed here: the API object is frozen');

  const enter = async () => void (await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'));
  return {
    picks,
    inputs,
    messages,
    answer: (...values) => void answers.push(...values),
    pick: (n) => waitFor(() => picks[n]?.active && picks[n], 15_000, `quick pick #${n + 1} on screen (${picks.length} shown)`),
    async choose(p, label) {
      const options = p.items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
      for (let step = 0; step <= options.length; step++) {
        if (label.test(p.active?.label ?? '')) {
          await enter();
          return;
        }
        const before = p.active;
        await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
        await waitFor(() => p.active !== before, 5000, `the focus to move past "${before?.label}"`);
      }
      throw new Error(`no item ${label} in the quick pick: ${options.map((i) => i.label).join(' | ')}`);
    },
    input: (n) => waitFor(() => inputs[n]?.validations.length && inputs[n], 15_000, `input box #${n + 1} on screen (${inputs.length} shown)`),
    message: (text) => waitFor(() => messages.find((m) => text.test(m.message)), 60_000, `a message matching ${text}`),
    enter,
    escape: async () => void (await vscode.commands.executeCommand('workbench.action.closeQuickOpen')),
    dispose: () => Object.assign(win, original),
  };
}
