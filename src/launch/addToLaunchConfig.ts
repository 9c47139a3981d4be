// "Add geminiTrace to a Launch Configuration": the welcome view's first step. Picks a Node or
// Python launch configuration of a workspace folder and sets `"geminiTrace": true` on it, or
// creates one, through VS Code's own configuration editing (so launch.json is written the way the
// user's other edits are, in the file that holds the configuration).
import * as vscode from 'vscode';
import { TRACED_TYPES } from './debugConfig';

/** Optional arguments, so tests and links can skip the pickers. */
export interface AddToLaunchConfigArgs {
  folder?: vscode.Uri;
  /** Name of an existing configuration to enable. */
  name?: string;
  /** Create a new configuration instead. */
  create?: 'node' | 'python';
}

type LaunchConfig = { type?: string; request?: string; name?: string; geminiTrace?: unknown; [k: string]: unknown };
type Pick = vscode.QuickPickItem & ({ index: number } | { create: 'node' | 'python' });

const NEW_CONFIGS: Record<'node' | 'python', LaunchConfig> = {
  node: { type: 'node', request: 'launch', name: 'Node: Current File (Gemini Trace)', program: '${file}', skipFiles: ['<node_internals>/**'], geminiTrace: true },
  python: { type: 'debugpy', request: 'launch', name: 'Python: Current File (Gemini Trace)', program: '${file}', console: 'integratedTerminal', geminiTrace: true },
};

/** Returns the name of the configuration that now has geminiTrace, or undefined if cancelled. */
export async function addToLaunchConfig(args: AddToLaunchConfigArgs = {}): Promise<string | undefined> {
  const folder = await pickFolder(args.folder);
  if (!folder) return undefined;
  const launch = vscode.workspace.getConfiguration('launch', folder.uri);
  const inspected = launch.inspect<LaunchConfig[]>('configurations');
  // Edit the file that holds the configurations: the folder's launch.json, else the .code-workspace.
  const [target, current] = inspected?.workspaceFolderValue?.length
    ? [vscode.ConfigurationTarget.WorkspaceFolder, inspected.workspaceFolderValue]
    : inspected?.workspaceValue?.length
      ? [vscode.ConfigurationTarget.Workspace, inspected.workspaceValue]
      : [vscode.ConfigurationTarget.WorkspaceFolder, []];
  const configs = current.map((c) => ({ ...c }));

  let choice: Pick | undefined;
  if (args.create) choice = { label: '', create: args.create };
  else if (args.name !== undefined) {
    const index = configs.findIndex((c) => c.name === args.name);
    if (index < 0) throw new Error(`No launch configuration named "${args.name}" in ${folder.name}.`);
    choice = { label: '', index };
  } else choice = await vscode.window.showQuickPick(pickItems(configs), { title: 'Trace Gemini calls of which launch configuration?', placeHolder: 'Node or Python launch configurations of this folder' });
  if (!choice) return undefined;

  let name: string;
  if ('create' in choice) {
    const config = { ...NEW_CONFIGS[choice.create] };
    config.name = uniqueName(configs, String(config.name));
    configs.push(config);
    name = String(config.name);
  } else {
    const config = configs[choice.index];
    if (!(TRACED_TYPES as readonly string[]).includes(String(config.type)) || config.request !== 'launch') {
      throw new Error(`"${config.name}" is a ${config.type} ${config.request} configuration; Gemini Trace traces launch configurations of type ${TRACED_TYPES.join(', ')}.`);
    }
    // An object (custom experiment, URI…) already means "on": leave the user's settings alone.
    if (config.geminiTrace !== true && (typeof config.geminiTrace !== 'object' || config.geminiTrace === null)) config.geminiTrace = true;
    name = String(config.name);
  }
  await launch.update('configurations', configs, target);
  if (target === vscode.ConfigurationTarget.WorkspaceFolder && !inspected?.workspaceFolderValue) await launch.update('version', '0.2.0', target);
  void vscode.window.showInformationMessage(`Gemini Trace: "${name}" now traces its Gemini calls. Run it with F5 or Ctrl+F5.`, 'Open launch.json').then((b) => {
    if (b) void vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, '.vscode', 'launch.json'));
  });
  return name;
}

async function pickFolder(uri: vscode.Uri | undefined): Promise<vscode.WorkspaceFolder | undefined> {
  if (uri) {
    const f = vscode.workspace.getWorkspaceFolder(uri);
    if (!f) throw new Error(`${uri.fsPath} is not in an open workspace folder.`);
    return f;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.length) throw new Error('Open a folder first: launch configurations live in a folder\'s .vscode/launch.json.');
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Add geminiTrace to a launch configuration of which folder?' });
}

function pickItems(configs: LaunchConfig[]): Pick[] {
  const items: Pick[] = [];
  configs.forEach((c, index) => {
    if (!(TRACED_TYPES as readonly string[]).includes(String(c.type)) || c.request !== 'launch') return;
    const on = c.geminiTrace !== undefined && c.geminiTrace !== false;
    items.push({ label: String(c.name ?? `(unnamed ${c.type})`), description: String(c.type), detail: on ? 'Already traced' : undefined, index });
  });
  items.push(
    { label: '$(add) New Node.js configuration', description: 'node', detail: 'Runs the current file, traced', create: 'node' },
    { label: '$(add) New Python configuration', description: 'debugpy', detail: 'Runs the current file, traced (needs the Python Debugger extension)', create: 'python' },
  );
  return items;
}

function uniqueName(configs: LaunchConfig[], base: string): string {
  const names = new Set(configs.map((c) => c.name));
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base} ${i}`;
  return name;
}
