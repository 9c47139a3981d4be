// Playwright in the real VS Code workbench: a Python agent app (its own spans from @mlflow.trace)
// runs through the real CLI and the Python tracer, whose Gemini spans join the agent's trace
// (Gemini via the loopback stand-in), into a real MLflow; then, as a user would: open
// its trace from the Traces view, click a span, read its prompt, click "go to code" and see the
// editor on the line that made the call; reload the window and find the panel restored.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyExamples, openWorkbench, typeTraceId } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { startStandin, type Standin } from '../fixtures/gemini/standin';
import { webview } from '../helpers/workbenchWebview';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { TraceSession } from '../../src/panel/session';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');
const run = promisify(execFile);

const AGENT = `"""A small travel agent: plans with Gemini, calls two tools, then answers with Gemini."""
import os

import mlflow
from google import genai
from google.genai import types

client = genai.Client(api_key=os.environ["GEMINI_API_KEY"], http_options=types.HttpOptions(base_url=os.environ.get("GOOGLE_GEMINI_BASE_URL")))
MODEL = "gemini-2.5-flash"


@mlflow.trace(span_type="TOOL")
def get_weather(city: str) -> dict:
    return {"city": city, "celsius": 14, "sky": "showers"}


@mlflow.trace(span_type="RETRIEVER")
def search_guides(query: str) -> list:
    return [{"title": "Paris in April", "text": "Layers and a light rain jacket."}]


@mlflow.trace(span_type="AGENT")
def plan_trip(question: str) -> str:
    plan = client.models.generate_content(model=MODEL, contents=f"List the steps to answer: {question}")
    weather = get_weather("Paris")
    guides = search_guides("what to pack for Paris in April")
    answer = client.models.generate_content(  # the answer
        model=MODEL,
        contents=f"Weather: {weather}. Guides: {guides}. Plan: {plan.text} Answer: {question}",
        config=types.GenerateContentConfig(system_instruction="You are a concise travel assistant.", temperature=0.4),
    )
    return answer.text


if __name__ == "__main__":
    print(plan_trip("What should I pack for Paris in April?"))
`;
const ANSWER_LINE = AGENT.split('\n').findIndex((l) => l.includes('# the answer')) + 1;

const PLAN_REPLY = {
  candidates: [{ content: { role: 'model', parts: [{ text: '1. Check the April weather in Paris.\n2. Look up packing guides.\n3. Turn both into a short packing list.' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 24, candidatesTokenCount: 31, totalTokenCount: 55 },
  modelVersion: 'gemini-2.5-flash',
};
const ANSWER_REPLY = {
  candidates: [{
    content: {
      role: 'model',
      parts: [
        { text: 'Showers and 14 °C: waterproof outer layer first, then warm mid-layers.', thought: true },
        { text: '**Pack for showers and 14 °C:**\n\n- a light rain jacket and a compact umbrella\n- two warm layers (a sweater and a fleece)\n- waterproof walking shoes\n\n```text\nforecast: 14 °C, showers\n```' },
      ],
    },
    finishReason: 'STOP',
    index: 0,
    safetyRatings: [
      { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
      { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'NEGLIGIBLE' },
    ],
  }],
  usageMetadata: { promptTokenCount: 182, candidatesTokenCount: 64, thoughtsTokenCount: 41, cachedContentTokenCount: 96, totalTokenCount: 287 },
  modelVersion: 'gemini-2.5-flash',
};

/** The agent's earlier run (compared in the Compare view): a shorter answer, fewer tokens. */
const EARLIER_ANSWER_REPLY = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'Pack a rain jacket and a sweater.' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 182, candidatesTokenCount: 9, totalTokenCount: 191 },
  modelVersion: 'gemini-2.5-flash',
};

describe('trace panel in the workbench (Playwright, real VS Code)', function () {
  this.timeout(420_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;
  let standin: Standin | undefined;
  let folder: string;
  let agentPath: string;
  let traceId: string;
  let mlflowUrl: string;
  let experimentId: string;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    let url = process.env.GT_MLFLOW_URL;
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    const experiment = `panel-e2e-${Date.now()}`;
    folder = copyExamples();
    agentPath = join(folder, 'trip-agent', 'agent.py');
    mkdirSync(join(folder, 'trip-agent'), { recursive: true });
    writeFileSync(agentPath, AGENT);
    standin = await startStandin();
    // Two runs of the agent: an earlier one (for the Compare view), then the one the tests open.
    for (const answer of [EARLIER_ANSWER_REPLY, ANSWER_REPLY]) {
      standin.enqueue('generateContent', { body: PLAN_REPLY });
      standin.enqueue('generateContent', { body: answer });
      await run(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '--tracking-uri', url!, '--experiment', experiment, '--run-name', 'trip-agent', '--', join(root, '.venv', 'bin', 'python'), 'agent.py'], {
        cwd: join(folder, 'trip-agent'),
        env: { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' },
      });
    }
    const exp = (await (await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experiment}`)).json()) as { experiment: { experiment_id: string } };
    const found = (await (
      await fetch(`${url}/api/3.0/mlflow/traces/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp.experiment.experiment_id } }], max_results: 5, order_by: ['timestamp_ms DESC'] }),
      })
    ).json()) as { traces?: { trace_id: string }[] };
    assert.equal(found.traces?.length, 2, 'each run of the agent wrote one trace');
    traceId = found.traces![0].trace_id;
    mlflowUrl = url!;
    experimentId = exp.experiment.experiment_id;
    wb = await openWorkbench({ folder, settings: { 'geminiTrace.trackingUri': url, 'geminiTrace.experiment': experiment, 'workbench.startupEditor': 'none' } });
    await wb.page.setViewportSize({ width: 1600, height: 1000 });
  });

  after(async () => {
    await wb?.close();
    await standin?.close();
    await ownMlflow?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('opens the trace from the Traces view, shows a span’s prompt, and goes to its code', async () => {
    const page = wb!.page;
    await page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).click();
    const tree = page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]');
    // The newest run opens by itself; its trace is named after the agent's root span.
    const row = tree.getByRole('treeitem', { name: /plan_trip/ }).first();
    await row.waitFor({ state: 'visible', timeout: 90_000 });
    await row.click();

    const view = webview(page);
    await view.locator('.trace-name', { hasText: 'plan_trip' }).waitFor({ timeout: 60_000 });
    assert.match((await view.locator('.header-facts').innerText()).replace(/\s+/g, ' '), /Tokens 342 .*Run trip-agent/);
    await page.screenshot({ path: join(shots, 'panel-e2e-opened.png') });

    // Click the second model call: the answer.
    await view.locator('.row', { hasText: 'Models.generateContent' }).nth(1).click();
    const chat = view.locator('.tab-chat');
    await chat.locator('.msg.role-user', { hasText: 'Guides:' }).waitFor();
    assert.match(await chat.innerText(), /You are a concise travel assistant/);
    assert.match(await chat.innerText(), /Pack for showers and 14 °C/);
    assert.equal(await chat.locator('.msg.role-model .md li').count(), 3, 'the answer’s Markdown list is drawn as a list');
    await page.mouse.move(10, 990);
    await page.screenshot({ path: join(shots, 'panel-e2e-span.png') });
    copyFileSync(join(shots, 'panel-e2e-span.png'), join(root, 'media', 'screenshots', 'panel.png'));

    // Go to code: the link names the file and line; the editor opens there.
    const link = view.locator('.code-link');
    assert.match(await link.innerText(), new RegExp(`agent\\.py:${ANSWER_LINE}$`));
    await link.click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: 'agent.py' });
    await tab.waitFor({ timeout: 30_000 });
    const status = page.locator('.statusbar-item[id="status.editor.selection"]');
    await status.filter({ hasText: `Ln ${ANSWER_LINE},` }).waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-line', { hasText: '# the answer' }).waitFor();
    await page.screenshot({ path: join(shots, 'panel-e2e-go-to-code.png') });
  });

  it('restores the panel after the window reloads', async () => {
    const page = wb!.page;
    await page.locator('.tabs-container .tab', { hasText: 'plan_trip' }).click();
    await webview(page).locator('.trace-name', { hasText: 'plan_trip' }).waitFor({ timeout: 30_000 });
    // Reload as a user does (Developer: Reload Window): the workbench saves its editor layout on
    // that shutdown. A bare page reload races the browser storage flush and sometimes restores no
    // editors at all (seen: neither the panel nor agent.py came back).
    await page.keyboard.press('F1');
    const palette = page.locator('.quick-input-widget input');
    await palette.fill('>Developer: Reload Window');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Developer: Reload Window' }).first().waitFor({ timeout: 15_000 });
    await Promise.all([page.waitForEvent('load', { timeout: 90_000 }), page.keyboard.press('Enter')]);
    await page.locator('.part.activitybar').waitFor({ timeout: 90_000 });
    await page.locator('.tabs-container .tab', { hasText: 'plan_trip' }).click({ timeout: 90_000 }).catch(async (e: unknown) => {
      await page.screenshot({ path: join(shots, 'panel-e2e-restore-failed.png') });
      throw e;
    });
    const view = webview(page);
    await view.locator('.trace-name', { hasText: 'plan_trip' }).waitFor({ timeout: 90_000 });
    await view.locator('.row.selected', { hasText: 'Models.generateContent' }).waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await page.screenshot({ path: join(shots, 'panel-e2e-restore-failed.png') });
      throw e;
    });
    assert.ok(traceId.startsWith('tr-'));
    await page.screenshot({ path: join(shots, 'panel-e2e-restored.png') });
  });

  it('compares the trace with the earlier run in the Compare view, and opens a response diff', async () => {
    const page = wb!.page;
    await page.locator('.tabs-container .tab', { hasText: 'plan_trip' }).first().click();
    const view = webview(page);
    await view.locator('.trace-name', { hasText: 'plan_trip' }).first().waitFor({ timeout: 30_000 });
    await view.locator('vscode-button', { hasText: 'Compare…' }).click();
    // The host's quick pick, in the workbench: the other trace of this experiment.
    const item = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'plan_trip' }).first();
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    const compare = view.locator('.compare-view');
    await compare.locator('.compare-pairs').waitFor({ timeout: 30_000 });
    const text = (await compare.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Before .*\(this trace\)|\(this trace\).*After/, 'both sides named, this trace marked');
    assert.match(text, /\+55|−55|-55|\+96|\+151/, `a token delta between the runs: ${text.slice(0, 600)}`);
    await page.mouse.move(10, 990);
    await page.screenshot({ path: join(shots, 'panel-e2e-compare.png') });
    copyFileSync(join(shots, 'panel-e2e-compare.png'), join(root, 'media', 'screenshots', 'compare.png'));
    // A pair's response diff opens in VS Code's diff editor.
    await compare.locator('.compare-pairs button', { hasText: 'Response diff' }).last().click();
    await page.locator('.tabs-container .tab.active', { hasText: /↔|vs|Response/ }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
  });

  it('opens a 30,000-span trace: its top, then its whole table before the trace is read, then any span\'s details and search', async () => {
    // Logged as the Python SDK logs to a server without span storage: StartTraceV3, then its
    // traces.json in the artifact store.
    const g = generateTrace({ spans: 30_000, encoding: 'python', seed: 31 });
    const info = { ...g.info, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } } };
    const started = await fetch(`${mlflowUrl}/api/3.0/mlflow/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trace: { trace_info: info } }) });
    const location = ((await started.json()) as { trace: { trace_info: { tags: Record<string, string> } } }).trace.trace_info.tags['mlflow.artifactLocation'];
    const put = await fetch(`${mlflowUrl}/api/2.0/mlflow-artifacts/artifacts/${location.replace(/^mlflow-artifacts:\/*/, '')}/traces.json`, { method: 'PUT', body: g.spansJson });
    assert.ok(put.ok, `PUT traces.json → ${put.status}`);
    // What the panel must show, from the same spans read here.
    const trace = normalizeTrace({ info, spans: g.spansJson });
    assert.ok(!isTraceError(trace));
    const session = new TraceSession(trace);
    const last = session.table.names[session.table.n - 1];
    const tools = session.search('type:TOOL').indices.length.toLocaleString('en-US');

    const page = wb!.page;
    await typeTraceId(page, String(g.info.trace_id));
    await page.keyboard.press('Enter');
    const view = webview(page);
    await view.locator('body[data-spans="30000"]').waitFor({ state: 'attached', timeout: 120_000 });
    // The last row, far below the top the preview held: its details come from its raw span
    // (src/panel/earlySession.ts) until the trace, read after the table was drawn, is.
    await view.locator('.viewport .row').first().click();
    await page.keyboard.press('End');
    await view.locator('.details-name .name-text', { hasText: last }).waitFor({ timeout: 60_000 });
    // A search over the whole trace, answered by the host.
    await page.keyboard.press('/');
    await page.keyboard.type('type:TOOL');
    await view.locator('.search-count', { hasText: ` of ${tools}` }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'panel-e2e-large.png') });
  });
});
