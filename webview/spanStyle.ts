// How a span type looks: its codicon and its colour slot (a CSS class mapped to a
// --vscode-charts-* colour in timeline.css, so every theme, high contrast included, applies).

const ICONS: Record<string, string> = {
  LLM: 'sparkle',
  CHAT_MODEL: 'sparkle',
  EMBEDDING: 'symbol-array',
  TOOL: 'tools',
  RETRIEVER: 'search',
  CHAIN: 'link',
  AGENT: 'robot',
  RERANKER: 'list-ordered',
  PARSER: 'json',
  MEMORY: 'database',
  WORKFLOW: 'type-hierarchy',
  TASK: 'checklist',
};

const COLOURS: Record<string, string> = {
  LLM: 'c-model',
  CHAT_MODEL: 'c-model',
  EMBEDDING: 'c-embed',
  TOOL: 'c-tool',
  RETRIEVER: 'c-retrieve',
  RERANKER: 'c-retrieve',
  CHAIN: 'c-chain',
  AGENT: 'c-agent',
  WORKFLOW: 'c-agent',
};

export function typeIcon(type: string): string {
  return ICONS[type] ?? 'symbol-event';
}

export function typeColour(type: string): string {
  return COLOURS[type] ?? 'c-other';
}

/** The CSS custom property behind each colour slot, for drawing on canvas. */
export const COLOUR_VARS: Record<string, string> = {
  'c-model': '--vscode-charts-purple',
  'c-embed': '--vscode-charts-yellow',
  'c-tool': '--vscode-charts-orange',
  'c-retrieve': '--vscode-charts-green',
  'c-chain': '--vscode-charts-blue',
  'c-agent': '--vscode-charts-blue',
  'c-other': '--vscode-descriptionForeground',
  'c-error': '--vscode-errorForeground',
};
