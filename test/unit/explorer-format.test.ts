// Row formatting and filter compilation of the Traces view (pure functions; the filters' effect
// on a real server is covered by explorer-source.test.ts).
import * as assert from 'node:assert/strict';
import { escapeMarkdown, formatLatency, formatRelative, formatTokens, oneLine, previewText } from '../../src/shared/format';
import { andFilters, compileFilter, describeFilter, lintExpression, quoteValue } from '../../src/explorer/filter';

describe('explorer format', () => {
  it('formats latency at every scale, one format for every view', () => {
    assert.equal(formatLatency(0), '0 ms');
    assert.equal(formatLatency(0.5), '500 µs');
    assert.equal(formatLatency(2.5), '2.50 ms');
    assert.equal(formatLatency(850.4), '850 ms');
    assert.equal(formatLatency(1234), '1.23 s');
    assert.equal(formatLatency(12_345), '12.3 s');
    assert.equal(formatLatency(125_000), '2m 05s');
    assert.equal(formatLatency(3_725_000), '1h 02m');
    assert.equal(formatLatency(null), '');
    assert.equal(formatLatency(-1), '');
  });

  it('formats token counts compactly', () => {
    assert.equal(formatTokens(0), '0 tok');
    assert.equal(formatTokens(987), '987 tok');
    assert.equal(formatTokens(1000), '1k tok');
    assert.equal(formatTokens(12_345), '12.3k tok');
    assert.equal(formatTokens(456_789), '457k tok');
    assert.equal(formatTokens(1_200_000), '1.2M tok');
    assert.equal(formatTokens(undefined), '');
  });

  it('formats relative time', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    assert.equal(formatRelative(now - 1000, now), 'just now');
    assert.equal(formatRelative(now - 45_000, now), '45s ago');
    assert.equal(formatRelative(now - 5 * 60_000, now), '5m ago');
    assert.equal(formatRelative(now - 3 * 3_600_000, now), '3h ago');
    assert.equal(formatRelative(now - 2 * 86_400_000, now), '2d ago');
    assert.equal(formatRelative(now - 30 * 86_400_000, now), '2026-10-22');
    assert.equal(formatRelative(now + 10_000, now), 'just now'); // clock skew never says "in the future"
    assert.equal(formatRelative(0, now), '');
  });

  it('shows the human part of JSON previews, in one line', () => {
    assert.equal(previewText('{"question":"what is\\nthe weather"}'), 'what is\nthe weather');
    assert.equal(previewText('"echo: hi"'), 'echo: hi');
    assert.equal(previewText('{"contents":[{"parts":[{"text":"deep"}]}]}'), 'deep');
    assert.equal(previewText('{"truncated": "ab'), '{"truncated": "ab');
    assert.equal(oneLine('a\n\n  b\tc'), 'a b c');
    assert.equal(oneLine('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
  });

  it('escapes untrusted text for Markdown tooltips', () => {
    const hostile = '[x](command:workbench.action.quit) ![i](http://a.b/c.png) <img src=x> *b* `c` # h\n    code\n1. list https://x.y';
    const md = escapeMarkdown(hostile);
    assert.doesNotMatch(md, /\]\(/, 'link syntax survived');
    assert.doesNotMatch(md, /(^|[^\\])[<>*`#![]/, 'an unescaped Markdown character survived');
    assert.doesNotMatch(md, /https:\/\//, 'a bare URL would autolink');
    assert.match(md, /\n\u00a0{4}code/, 'indentation cannot open a code block');
    assert.match(md, /list https\\:/, 'plain spaces stay (text wraps)');
    // Unescaping gives the original back: nothing was lost.
    assert.equal(md.replace(/ {2}\n/g, '\n').replace(/\u00a0/g, ' ').replace(/\\(.)/g, '$1'), hostile);
  });
});

describe('explorer filter', () => {
  it('compiles the quick picks into MLflow syntax', () => {
    assert.equal(compileFilter({}), undefined);
    assert.equal(compileFilter({ errorsOnly: true }), "trace.status = 'ERROR'");
    assert.equal(compileFilter({ model: 'gemini-2.5-pro' }), "span.attributes.`mlflow.llm.model` ILIKE '%gemini-2.5-pro%'");
    assert.equal(compileFilter({ text: "what's up" }), 'trace.text ILIKE "%what\'s up%"');
    assert.equal(
      compileFilter({ errorsOnly: true, text: 'x', expression: ' trace.execution_time_ms > 5 ' }),
      "trace.status = 'ERROR' AND trace.text ILIKE '%x%' AND trace.execution_time_ms > 5",
    );
  });

  it('quotes any value so the parser accepts it', () => {
    assert.equal(quoteValue('plain'), "'plain'");
    assert.equal(quoteValue("it's"), '"it\'s"');
    // Both quote kinds: no escape exists in MLflow's grammar, so `'` becomes LIKE's one-char wildcard.
    assert.equal(quoteValue(`it's "x"`), `'it_s "x"'`);
  });

  it('describes the active filter briefly', () => {
    assert.equal(describeFilter({ errorsOnly: true, model: 'flash', text: 'hi' }), 'errors · model flash · “hi”');
    assert.equal(describeFilter({ expression: 'x'.repeat(50) }).length, 40);
  });

  it('explains common expression mistakes before asking the server', () => {
    assert.equal(lintExpression("trace.status = 'OK'"), undefined);
    assert.match(lintExpression("trace.status == 'OK'")!, /Use =/);
    assert.match(lintExpression("trace.status = 'OK' OR trace.status = 'ERROR'")!, /AND only/);
    assert.match(lintExpression("trace.name = 'x")!, /not closed/);
    assert.match(lintExpression("span.attributes.mlflow.llm.model LIKE '%x%'")!, /backticks/);
    assert.equal(lintExpression("span.attributes.`mlflow.llm.model` LIKE '%x%'"), undefined);
    assert.equal(andFilters(undefined, ' a ', '', 'b'), 'a AND b');
  });
});
