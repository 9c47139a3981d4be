// The theme as the row canvas needs it: VS Code's colour variables and the editor's fonts, read
// from the page's computed style. Read again whenever VS Code swaps the theme (it changes the
// body's class and the variables on <html>), so the canvas follows like the rest of the panel.
import { COLOUR_VARS } from './spanStyle';

export interface Palette {
  background: string;
  foreground: string;
  description: string;
  error: string;
  warning: string;
  hover: string;
  selection: string;
  selectionForeground: string;
  selectionIcon: string;
  inactiveSelection: string;
  inactiveSelectionForeground: string;
  focusOutline: string;
  filterMatch: string;
  filterMatchBorder: string;
  findMatch: string;
  contrastBorder: string;
  highContrast: boolean;
  /** Bar colour of each colour slot (spanStyle.ts). */
  slots: Record<string, string>;
  font: string;
  metaFont: string;
  glyphFont: string;
}

export function readPalette(): Palette {
  const css = getComputedStyle(document.body);
  const v = (name: string, ...fallbacks: string[]): string => {
    for (const n of [name, ...fallbacks]) {
      const value = n.startsWith('--') ? css.getPropertyValue(n).trim() : n;
      if (value) return value;
    }
    return 'transparent';
  };
  const foreground = v('--vscode-foreground', css.color);
  const selectionForeground = v('--vscode-list-activeSelectionForeground', foreground);
  const slots: Record<string, string> = {};
  for (const [slot, name] of Object.entries(COLOUR_VARS)) slots[slot] = v(name, '#888');
  const size = parseFloat(css.fontSize) || 13;
  const family = css.fontFamily || 'sans-serif';
  const weight = css.fontWeight || 'normal';
  return {
    background: v('--vscode-editor-background', '#1e1e1e'),
    foreground,
    description: v('--vscode-descriptionForeground', foreground),
    error: v('--vscode-errorForeground', '#f14c4c'),
    warning: v('--vscode-editorWarning-foreground', '#cca700'),
    hover: v('--vscode-list-hoverBackground'),
    selection: v('--vscode-list-activeSelectionBackground'),
    selectionForeground,
    selectionIcon: v('--vscode-list-activeSelectionIconForeground', selectionForeground),
    inactiveSelection: v('--vscode-list-inactiveSelectionBackground'),
    inactiveSelectionForeground: v('--vscode-list-inactiveSelectionForeground', foreground),
    focusOutline: v('--vscode-list-focusOutline', '--vscode-focusBorder'),
    filterMatch: v('--vscode-list-filterMatchBackground', '--vscode-editor-findMatchHighlightBackground'),
    filterMatchBorder: v('--vscode-list-filterMatchBorder'),
    findMatch: v('--vscode-editor-findMatchHighlightBackground'),
    contrastBorder: v('--vscode-contrastBorder'),
    highContrast: /vscode-high-contrast/.test(document.body.className),
    slots,
    font: `${weight} ${size}px ${family}`,
    metaFont: `${weight} ${size * 0.92}px ${family}`,
    glyphFont: '16px codicon',
  };
}
