// How each node looks: labels, icons in theme colours, descriptions and tooltips. Tooltips show
// prompts and responses, which are hostile input: plain text only (appendText escapes Markdown),
// never trusted, never HTML, so a crafted prompt cannot render links, images or commands.
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import { thumbsOf, valueText } from '../model/assessments';
import { GEMINI_TAG, MLFLOW_META, TAG } from '../shared/runTags';
import { SESSION_LABEL } from '../model/sessions';
import type { Span, TraceSummary } from '../model/types';
import { escapeMarkdown, formatLatency, formatRelative, formatTimestamp, formatTokens, joinParts, oneLine, previewText } from '../shared/format';
import { conversationFacts, conversationLabel } from './conversations';
import { ConversationNode, ExperimentNode, LoadMoreNode, RunNode, SpanNode, TraceNode, type MessageNode, type Node } from './nodes';
import { OTHER_RUN } from './traceSource';

/** Scheme of resourceUris that only exist so the decoration provider can colour error rows. */
export const DECORATION_SCHEME = 'gemini-trace-item';
const PREVIEW_MAX = 600;
/** What a click on a trace, span or conversation row runs: no arguments, so nothing a render can
 *  drop. VS Code keeps a row command's arguments only until the row is rendered again, and a
 *  running trace's row is rendered every second (its elapsed time): a click in between ran nothing
 *  ("Actual command not found": 5 of ~95 clicks on a running row beside four busy loops). The
 *  click selects its row first, and the command opens the selection (commands.ts). */
const OPEN_SELECTED: vscode.Command = { command: COMMAND.openSelected, title: 'Open' };

export interface ItemContext {
  /** Root span name of a trace whose spans are already cached, for unnamed traces. */
  rootSpanName(traceId: string): string | undefined;
  isNew(traceId: string): boolean;
  /** The clock running traces count their elapsed time by. */
  now(): number;
}

export function treeItem(node: Node, ctx: ItemContext): vscode.TreeItem {
  if (node instanceof ExperimentNode) return experimentItem(node);
  if (node instanceof RunNode) return runItem(node);
  if (node instanceof ConversationNode) return conversationItem(node, ctx);
  if (node instanceof TraceNode) return traceItem(node, ctx);
  if (node instanceof SpanNode) return spanItem(node);
  if (node instanceof LoadMoreNode) return loadMoreItem(node);
  return messageItem(node);
}

function experimentItem(n: ExperimentNode): vscode.TreeItem {
  const item = new vscode.TreeItem(n.experiment.name || `Experiment ${n.experimentId}`, n.configured ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = n.id;
  item.contextValue = 'experiment';
  item.iconPath = new vscode.ThemeIcon(n.configured ? 'beaker' : 'folder-library');
  const md = plainMarkdown();
  md.appendMarkdown('**Experiment** ');
  md.appendMarkdown(escapeMarkdown(`${n.experiment.name}\nid ${n.experimentId}${n.configured ? '\ntraced apps write here (geminiTrace.experiment)' : ''}`));
  item.tooltip = md;
  return item;
}

function runItem(n: RunNode): vscode.TreeItem {
  const other = n.run.id === OTHER_RUN;
  const item = new vscode.TreeItem(n.run.name, n.expandByDefault ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = n.id;
  item.contextValue = other ? 'run:other' : n.active ? 'run:active' : 'run';
  item.iconPath = other
    ? new vscode.ThemeIcon('circle-outline')
    : n.active
      ? new vscode.ThemeIcon('debug-start', new vscode.ThemeColor('debugIcon.startForeground'))
      : new vscode.ThemeIcon('history');
  const started = n.run.startedMs ?? (n.run.newestMs || undefined);
  item.description = joinParts(n.active && 'running', started ? formatRelative(started) : undefined);
  const md = plainMarkdown();
  md.appendMarkdown(other ? '**Traces without a traced run**\n\n' : '**Traced run** ');
  if (!other) md.appendMarkdown(escapeMarkdown(`${n.run.name}\n`));
  if (!other) md.appendMarkdown(escapeMarkdown(`run id ${n.run.id}\n`));
  if (n.run.startedMs) md.appendMarkdown(escapeMarkdown(`started ${formatTimestamp(n.run.startedMs)}\n`));
  if (n.run.newestMs) md.appendMarkdown(escapeMarkdown(`latest trace ${formatTimestamp(n.run.newestMs)}`));
  item.tooltip = md;
  return item;
}

export function traceLabel(s: TraceSummary, rootSpanName?: string): string {
  return oneLine(s.name || rootSpanName || previewText(s.requestPreview), 60) || s.id;
}

function traceItem(n: TraceNode, ctx: ItemContext): vscode.TreeItem {
  const s = n.summary;
  const item = new vscode.TreeItem(traceLabel(s, ctx.rootSpanName(s.id)), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = n.id;
  item.contextValue = s.state === 'ERROR' ? 'trace:error' : s.state === 'IN_PROGRESS' ? 'trace:running' : 'trace';
  // A background run the process did not see to its end was exported as it stood when it exited.
  const unfinished = s.tags[GEMINI_TAG.unfinished] === 'true';
  item.iconPath = unfinished ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('editorWarning.foreground')) : stateIcon(s.state);
  // A background agent's trace stays in progress while it works: say for how long, live.
  const running = s.state === 'IN_PROGRESS' && !unfinished ? `running ${formatLatency(Math.max(0, ctx.now() - s.requestTimeMs))}` : undefined;
  const thumbs = s.assessments ? thumbsOf(s.assessments) : undefined;
  item.description = joinParts(ctx.isNew(s.id) && '●', thumbs === 'up' ? '👍' : thumbs === 'down' ? '👎' : undefined, unfinished && 'unfinished', running ?? formatLatency(s.durationMs), s.usage ? formatTokens(s.usage.total) : undefined, formatRelative(s.requestTimeMs));
  if (s.state === 'ERROR') item.resourceUri = vscode.Uri.from({ scheme: DECORATION_SCHEME, path: `/${s.id}`, query: 'error' });
  item.tooltip = traceTooltip(s);
  item.command = OPEN_SELECTED;
  item.accessibilityInformation = { label: `Trace ${item.label as string}, ${stateWord(s.state)}, ${item.description || ''}` };
  return item;
}

function conversationItem(n: ConversationNode, ctx: ItemContext): vscode.TreeItem {
  const f = conversationFacts(n);
  const item = new vscode.TreeItem(oneLine(conversationLabel(n), 60), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = n.id;
  item.contextValue = `session:${n.session}`;
  const failed = f.failed ? new vscode.ThemeColor('testing.iconFailed') : undefined;
  item.iconPath = f.running ? new vscode.ThemeIcon('loading~spin') : new vscode.ThemeIcon(n.session === 'session' ? 'layers' : 'comment-discussion', failed);
  const unseen = n.traces.some((t) => ctx.isNew(t.id));
  const turns = `${f.turns} turn${f.turns === 1 ? '' : 's'}`;
  item.description = joinParts(unseen && '●', turns, f.running ? 'running' : formatLatency(f.durationMs), f.tokens !== undefined ? formatTokens(f.tokens) : undefined, formatRelative(f.lastMs));
  const what = { session: `MLflow session ${n.conversationId} (mlflow.trace.session)`, chat: `one chat object's turns (${n.conversationId})`, conversation: `turns chained by previous_interaction_id\nfirst interaction ${n.conversationId}` }[n.session];
  const user = n.traces.find((t) => t.metadata[MLFLOW_META.user])?.metadata[MLFLOW_META.user];
  const md = plainMarkdown();
  md.appendMarkdown(`**${SESSION_LABEL[n.session]}** `);
  md.appendMarkdown(escapeMarkdown(`${turns}: ${what}${user ? `\nuser ${user}` : ''}${f.running ? '\none still running' : ''}${f.failed ? '\none or more failed' : ''}\nlatest turn ${formatTimestamp(f.lastMs)}`));
  md.appendMarkdown('\n\nOpen Session shows it as one transcript.');
  item.tooltip = md;
  item.command = OPEN_SELECTED;
  item.accessibilityInformation = { label: `${SESSION_LABEL[n.session]} ${item.label as string}, ${turns}, ${item.description}` };
  return item;
}

function stateIcon(state: TraceSummary['state']): vscode.ThemeIcon {
  switch (state) {
    case 'OK':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'ERROR':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'IN_PROGRESS':
      return new vscode.ThemeIcon('loading~spin');
    default:
      return new vscode.ThemeIcon('circle-large-outline');
  }
}

function stateWord(state: TraceSummary['state']): string {
  return { OK: 'succeeded', ERROR: 'failed', IN_PROGRESS: 'in progress', UNKNOWN: 'status unknown' }[state];
}

export function traceTooltip(s: TraceSummary): vscode.MarkdownString {
  const md = plainMarkdown();
  md.appendMarkdown(`**${stateWord(s.state)}** `);
  md.appendMarkdown(escapeMarkdown(joinParts(formatLatency(s.durationMs), s.usage && `${s.usage.total} tokens (${s.usage.input} in, ${s.usage.output} out)`, formatTimestamp(s.requestTimeMs))));
  md.appendMarkdown('\n\n---\n\n**Request**\n\n');
  md.appendMarkdown(escapeMarkdown(clip(previewText(s.requestPreview)) || '(none)'));
  md.appendMarkdown('\n\n**Response**\n\n');
  md.appendMarkdown(escapeMarkdown(clip(previewText(s.responsePreview)) || '(none)'));
  md.appendMarkdown('\n\n---\n\n');
  md.appendMarkdown(escapeMarkdown(`Trace ${s.id}\n`));
  if (s.models.length) md.appendMarkdown(escapeMarkdown(`Model ${s.models.join(', ')}\n`));
  const run = s.tags[TAG.runName];
  if (run) md.appendMarkdown(escapeMarkdown(`Run ${run}\n`));
  const session = s.metadata[MLFLOW_META.session];
  if (session) md.appendMarkdown(escapeMarkdown(`Session ${session}\n`));
  const user = s.metadata[MLFLOW_META.user];
  if (user) md.appendMarkdown(escapeMarkdown(`User ${user}\n`));
  const feedback = (s.assessments ?? []).filter((a) => a.valid);
  if (feedback.length) md.appendMarkdown(escapeMarkdown(`Feedback ${feedback.map((a) => `${a.name} = ${valueText(a.value)}`).join(', ')}\n`));
  return md;
}

const SPAN_ICONS: Record<string, string> = {
  LLM: 'sparkle',
  CHAT_MODEL: 'comment-discussion',
  TOOL: 'tools',
  EMBEDDING: 'symbol-array',
  CHAIN: 'link',
  RETRIEVER: 'search',
  AGENT: 'robot',
  RERANKER: 'list-ordered',
  PARSER: 'symbol-namespace',
  MEMORY: 'database',
  WORKFLOW: 'git-merge',
  TASK: 'checklist',
  GUARDRAIL: 'shield',
  EVALUATOR: 'beaker',
};

export function spanIcon(type: string): string {
  return SPAN_ICONS[type.toUpperCase()] ?? 'symbol-event';
}

function spanLatencyMs(span: Span): number | null {
  return span.endNs === null ? null : Number(span.endNs - span.startNs) / 1e6;
}

function spanItem(n: SpanNode): vscode.TreeItem {
  const sp = n.span;
  const error = sp.status === 'ERROR';
  // Spans are loaded with their trace, so opening a root costs nothing: show its calls at once.
  const state = !sp.children.length ? vscode.TreeItemCollapsibleState.None : sp.depth === 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(oneLine(sp.name, 60) || sp.id, state);
  item.id = n.id;
  item.contextValue = sp.code ? 'span:code' : 'span';
  item.iconPath = new vscode.ThemeIcon(spanIcon(sp.type), error ? new vscode.ThemeColor('errorForeground') : undefined);
  item.description = joinParts(sp.type !== 'UNKNOWN' && sp.type, sp.model, formatLatency(spanLatencyMs(sp)), sp.usage ? formatTokens(sp.usage.total) : undefined, sp.endNs === null && 'running');
  if (error) item.resourceUri = vscode.Uri.from({ scheme: DECORATION_SCHEME, path: `/${n.traceId}/${sp.id}`, query: 'error' });
  const md = plainMarkdown();
  md.appendMarkdown(`**${error ? 'Failed span' : 'Span'}** `);
  md.appendMarkdown(escapeMarkdown(`${sp.name} (${sp.type})\n`));
  md.appendMarkdown(escapeMarkdown(joinParts(formatLatency(spanLatencyMs(sp)), sp.usage && `${sp.usage.total} tokens (${sp.usage.input} in, ${sp.usage.output} out)`, sp.model) + '\n'));
  if (sp.statusMessage) md.appendMarkdown(escapeMarkdown(`\n${clip(sp.statusMessage)}\n`));
  for (const ex of sp.exceptions.slice(0, 2)) md.appendMarkdown(escapeMarkdown(`\n${ex.type}: ${clip(ex.message)}\n`));
  if (sp.code) md.appendMarkdown(escapeMarkdown(`\n${sp.code.filepath}:${sp.code.lineno}${sp.code.function ? ` (${sp.code.function})` : ''}\n`));
  md.appendMarkdown(escapeMarkdown(`\nSpan ${sp.id} in trace ${n.traceId}`));
  item.tooltip = md;
  item.command = OPEN_SELECTED;
  return item;
}

function loadMoreItem(n: LoadMoreNode): vscode.TreeItem {
  const label = n.loading ? 'Loading…' : n.what === 'traces' ? 'Load more traces' : n.what === 'runs' ? 'Load older runs' : 'Load more experiments';
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = n.id;
  item.contextValue = 'loadMore';
  item.iconPath = new vscode.ThemeIcon(n.loading ? 'loading~spin' : 'fold-down');
  // No arguments, as OPEN_SELECTED: a live poll that adds traces to the run renders this row again.
  if (!n.loading) item.command = { command: COMMAND.loadMore, title: 'Load More' };
  return item;
}

function messageItem(n: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
  item.id = n.id;
  item.contextValue = 'message';
  const icon = { info: 'info', error: 'error', warning: 'warning', loading: 'loading~spin' }[n.icon];
  item.iconPath = new vscode.ThemeIcon(icon, n.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  if (n.detail) {
    const md = plainMarkdown();
    md.appendMarkdown(escapeMarkdown(n.detail));
    item.tooltip = md;
  }
  if (n.command) item.command = n.command;
  return item;
}

function plainMarkdown(): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

function clip(text: string | undefined): string {
  if (!text) return '';
  return text.length > PREVIEW_MAX ? `${text.slice(0, PREVIEW_MAX)}…` : text;
}

/** Colours error rows (label too, not just the icon) with the theme's error colour. */
export class ErrorDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== DECORATION_SCHEME || uri.query !== 'error') return undefined;
    return { color: new vscode.ThemeColor('list.errorForeground'), tooltip: 'Error' };
  }
}
