// The explorer's filter: a few structured picks (errors only, model, text) plus a free MLflow
// search expression, compiled to one MLflow filter string. Pure (no vscode).
//
// Filter keys were checked against MLflow 3.17's search parser and SQL store:
// - `trace.status = 'ERROR'` and `trace.timestamp_ms > N` are columns;
// - `trace.text ILIKE '%x%'` searches every span's content (inputs, outputs, attributes);
// - span attributes need their dotted name in backticks: `span.attributes.\`mlflow.llm.model\``
//   (unquoted, the parser splits at the dots and the clause matches everything); only LIKE/ILIKE
//   are meaningful on them, because the store matches them inside the span's JSON;
// - tags need backticks too: tags.`gemini_trace.run_id` = '…'; `!=` drops traces without the tag.
// MLflow has no escape for quotes inside a string literal, but takes "…" as well as '…'.
import { FEEDBACK_NAMES } from '../model/assessments';
import { MLFLOW_META } from '../shared/runTags';
import { SESSION_LABEL, sessionField, type SessionKey } from '../model/sessions';

export interface TraceFilter {
  errorsOnly?: boolean;
  /** Model name (substring match on the span attribute mlflow.llm.model). */
  model?: string;
  /** Case-insensitive substring of any span's content. */
  text?: string;
  /** Free MLflow search syntax, ANDed with the rest. */
  expression?: string;
  /** One session: MLflow's session metadata, or a chat's or conversation's tag. */
  session?: SessionKey;
  /** `mlflow.trace.user` metadata. */
  user?: string;
  /** Thumbs feedback (user_feedback): up, down, or either. */
  feedback?: 'up' | 'down' | 'any';
}

export const MODEL_ATTR = 'span.attributes.`mlflow.llm.model`';

/** A string literal MLflow's parser accepts for any value. */
export function quoteValue(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  // Both quote kinds: no escape exists, so LIKE's one-character wildcard stands in for each '.
  return `'${value.replace(/'/g, '_')}'`;
}

/** A LIKE pattern matching `value` anywhere, with quotes handled as above. */
export function containsPattern(value: string): string {
  return quoteValue(`%${value}%`);
}

export function isEmptyFilter(f: TraceFilter): boolean {
  return !f.errorsOnly && !f.model && !f.text && !f.expression?.trim() && !f.session && !f.user && !f.feedback;
}

/** The clause that selects one session's traces (checked against MLflow 3.17: metadata keys and
 *  tags both need backticks). */
export function sessionClause(s: SessionKey): string {
  const { on, key } = sessionField(s.kind);
  return `${on}.\`${key}\` = ${quoteValue(s.id)}`;
}

/** Feedback filters read assessments by name: `feedback.<name> = 'true'` (MLflow compares the
 *  value as text; `IS NOT NULL` for any value). */
export function feedbackClause(f: NonNullable<TraceFilter['feedback']>): string {
  const key = `feedback.\`${FEEDBACK_NAMES.thumbs}\``;
  return f === 'any' ? `${key} IS NOT NULL` : `${key} = '${f === 'up' ? 'true' : 'false'}'`;
}

/** One MLflow filter string, or undefined when nothing filters. */
export function compileFilter(f: TraceFilter): string | undefined {
  const clauses: string[] = [];
  if (f.errorsOnly) clauses.push("trace.status = 'ERROR'");
  if (f.model) clauses.push(`${MODEL_ATTR} ILIKE ${containsPattern(f.model)}`);
  if (f.text) clauses.push(`trace.text ILIKE ${containsPattern(f.text)}`);
  if (f.session) clauses.push(sessionClause(f.session));
  if (f.user) clauses.push(`metadata.\`${MLFLOW_META.user}\` = ${quoteValue(f.user)}`);
  if (f.feedback) clauses.push(feedbackClause(f.feedback));
  const expr = f.expression?.trim();
  if (expr) clauses.push(expr);
  return clauses.length ? clauses.join(' AND ') : undefined;
}

/** ANDs any number of optional clauses (MLflow filters have AND but no OR or parentheses). */
export function andFilters(...parts: (string | undefined)[]): string | undefined {
  const present = parts.map((p) => p?.trim()).filter((p): p is string => !!p);
  return present.length ? present.join(' AND ') : undefined;
}

/** Short human form for the view description: "errors · model gemini-2.5-pro · “timeout”". */
export function describeFilter(f: TraceFilter): string {
  const parts: string[] = [];
  if (f.errorsOnly) parts.push('errors');
  if (f.model) parts.push(`model ${f.model}`);
  if (f.text) parts.push(`“${f.text}”`);
  if (f.session) parts.push(`${SESSION_LABEL[f.session.kind].toLowerCase()} ${f.session.id}`);
  if (f.user) parts.push(`user ${f.user}`);
  if (f.feedback) parts.push(f.feedback === 'up' ? '👍' : f.feedback === 'down' ? '👎' : 'with feedback');
  const expr = f.expression?.trim();
  if (expr) parts.push(expr.length > 40 ? `${expr.slice(0, 39)}…` : expr);
  return parts.join(' · ');
}

/**
 * Cheap syntax checks before asking the server, so the input box explains the usual mistakes
 * at once. The server's own validation (a 400 with its message) remains the authority.
 */
export function lintExpression(expr: string): string | undefined {
  const e = expr.trim();
  if (!e) return undefined;
  if (/\s(OR)\s/i.test(e)) return 'MLflow filters support AND only, not OR.';
  if (/==/.test(e)) return "Use = rather than == (e.g. trace.status = 'ERROR').";
  const quotes = (e.match(/'/g)?.length ?? 0) + (e.match(/"/g)?.length ?? 0);
  if (quotes % 2 === 1) return 'A string literal is not closed: quote values with \'…\' or "…".';
  if (/\b(span\.attributes|tags|metadata)\.[A-Za-z_][\w-]*\.[\w.]+/.test(e.replace(/`[^`]*`/g, '``'))) {
    return 'Dotted names need backticks, e.g. span.attributes.`mlflow.llm.model` ILIKE \'%flash%\'.';
  }
  return undefined;
}

/** Clause restricting a search to one traced run. */
export function runClause(runId: string, tagKey: string): string {
  return `tags.\`${tagKey}\` = ${quoteValue(runId)}`;
}
