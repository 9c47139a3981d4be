// Every name the extension shares with VS Code, in one place: the commands, views and settings
// package.json declares, the context keys its `when` clauses read, and the keys of what it keeps
// in VS Code's storage. test/unit/contributions.test.ts fails when these and the manifest
// disagree, and when a 'geminiTrace.…' literal appears anywhere else in src/. Pure: no vscode.

export const SECTION = 'geminiTrace';

/** Command ids, all declared under contributes.commands. */
export const COMMAND = {
  refresh: 'geminiTrace.refresh',
  openTrace: 'geminiTrace.openTrace',
  openSelected: 'geminiTrace.openSelected',
  openTraceById: 'geminiTrace.openTraceById',
  openSession: 'geminiTrace.openSession',
  goToCode: 'geminiTrace.goToCode',
  revealSpan: 'geminiTrace.revealSpan',
  copyTraceId: 'geminiTrace.copyTraceId',
  openInMlflow: 'geminiTrace.openInMlflow',
  compareWith: 'geminiTrace.compareWith',
  compareSelected: 'geminiTrace.compareSelected',
  compare: 'geminiTrace.compare',
  deleteTrace: 'geminiTrace.deleteTrace',
  setFilter: 'geminiTrace.setFilter',
  clearFilter: 'geminiTrace.clearFilter',
  currentRunOnly: 'geminiTrace.currentRunOnly',
  allRuns: 'geminiTrace.allRuns',
  loadMore: 'geminiTrace.loadMore',
  connection: 'geminiTrace.connection',
  setServer: 'geminiTrace.setServer',
  setCredentials: 'geminiTrace.setCredentials',
  clearCredentials: 'geminiTrace.clearCredentials',
  showLog: 'geminiTrace.showLog',
  startLocalServer: 'geminiTrace.startLocalServer',
  stopLocalServer: 'geminiTrace.stopLocalServer',
  enableTerminalTracing: 'geminiTrace.enableTerminalTracing',
  disableTerminalTracing: 'geminiTrace.disableTerminalTracing',
  addToLaunchConfig: 'geminiTrace.addToLaunchConfig',
  addFeedback: 'geminiTrace.addFeedback',
  addExpectation: 'geminiTrace.addExpectation',
  replay: 'geminiTrace.replay',
  replaySend: 'geminiTrace.replay.send',
  replaySetApiKey: 'geminiTrace.replay.setApiKey',
} as const;

/** The Traces view (contributes.views) and the two webview panels' view types. */
export const VIEW = {
  traces: 'geminiTrace.traces',
  tracePanel: 'geminiTrace.trace',
  sessionPanel: 'geminiTrace.session',
} as const;

/** Context keys the manifest's `when` clauses read, set with `setContext`. */
export const CONTEXT = {
  /** 'connecting' | 'up' | 'down' | 'unauthorized' */
  connection: 'geminiTrace.connection',
  /** The tracking URI is the default local one: the welcome view names it. */
  defaultServer: 'geminiTrace.defaultServer',
  empty: 'geminiTrace.empty',
  filtered: 'geminiTrace.filtered',
  currentRunOnly: 'geminiTrace.currentRunOnly',
  /** The active editor holds a replay request. */
  replayDoc: 'geminiTrace.replayDoc',
} as const;

/**
 * Settings under `geminiTrace.` (contributes.configuration) and their JSON types. Their defaults
 * live only in package.json: VS Code applies them, and contributions/settings.ts reads through it.
 */
export const SETTING = {
  trackingUri: 'string',
  experiment: 'string',
  autoTrace: 'string',
  captureContent: 'boolean',
  'explorer.pollInterval': 'number',
  'explorer.idlePollInterval': 'number',
  'explorer.confirmDelete': 'boolean',
  requestTimeout: 'number',
  'localServer.python': 'string',
  'codeLens.enabled': 'boolean',
  'feedback.sourceId': 'string',
  'replay.baseUrl': 'string',
} as const;

/** Keys of what the extension keeps in VS Code's storage (not contributions: never in package.json). */
export const STORAGE = {
  /** globalState: servers the user switched to, newest first. */
  recentServers: 'geminiTrace.recentServers',
  /** workspaceState: the terminal-tracing run of this window. */
  terminalRun: 'geminiTrace.terminalRun',
  /** SecretStorage: the Gemini API key replays send with. */
  geminiApiKey: 'geminiTrace.geminiApiKey',
  /** The status bar item's id (VS Code remembers its visibility by it). */
  statusBarItem: 'geminiTrace.connection',
} as const;
