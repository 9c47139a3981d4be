// The typed settings reader. Every `geminiTrace.*` setting is read here and nowhere else; the
// value in force is the user's or, when unset, the default package.json declares (VS Code applies
// it), so no default is written in code.
import * as vscode from 'vscode';
import { SECTION } from './ids';
import type { SETTING } from './ids';

type JsonTypes = { string: string; number: number; boolean: boolean };
export type SettingKey = keyof typeof SETTING;
export type SettingValue<K extends SettingKey> = JsonTypes[(typeof SETTING)[K]];

/** The value in force for `key` (in `scope`, for settings a folder may override). */
export function setting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
  const value = vscode.workspace.getConfiguration(SECTION, scope).get<SettingValue<K>>(key);
  // Only a setting package.json does not declare has no value: a bug the contributions test catches.
  if (value === undefined) throw new Error(`${SECTION}.${key} is not declared in package.json`);
  return value;
}

/** Where `key` is set, for code that must know whether the user set it or it is the default. */
export function inspectSetting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope) {
  return vscode.workspace.getConfiguration(SECTION, scope).inspect<SettingValue<K>>(key);
}

/** Writes `key` where the user set it before, else to user settings. */
export async function updateSetting<K extends SettingKey>(key: K, value: SettingValue<K>): Promise<void> {
  const i = inspectSetting(key);
  const target =
    i?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder : i?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
}

/** Whether a configuration change touches any of `keys`; a group name ('explorer') covers its settings. */
export function affectsSetting(e: vscode.ConfigurationChangeEvent, ...keys: (SettingKey | 'explorer')[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
