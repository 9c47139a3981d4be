// package.json's setting defaults, for code that runs outside VS Code (the CLI), where no
// configuration service applies them. Inside VS Code read settings with settings.ts.
import { contributes } from '../../package.json';
import { SECTION } from './ids';
import type { SETTING } from './ids';

type Defaults = { string: string; number: number; boolean: boolean };

export function manifestDefault<K extends keyof typeof SETTING>(key: K): Defaults[(typeof SETTING)[K]] {
  const declared = (contributes.configuration.properties as Record<string, { default?: unknown }>)[`${SECTION}.${key}`];
  if (declared?.default === undefined) throw new Error(`${SECTION}.${key} has no default in package.json`);
  return declared.default as Defaults[(typeof SETTING)[K]];
}
