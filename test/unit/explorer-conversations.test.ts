// Grouping a run's traces into conversations (pure; the tree's node for it is exercised in the real
// VS Code by test/integration/explorer.test.ts).
import assert from 'node:assert/strict';
import { conversationFacts, conversationLabel, groupConversations, isConversation } from '../../src/explorer/conversations';
import { GEMINI_TAG } from '../../src/shared/runTags';
import type { TraceSummary } from '../../src/model/types';

function t(id: string, ms: number, conv?: string, o: Partial<TraceSummary> = {}): TraceSummary {
  return { id, state: 'OK', requestTimeMs: ms, durationMs: 100, tags: conv ? { [GEMINI_TAG.conversation]: conv } : {}, metadata: {}, models: [], ...o };
}

describe('explorer: conversations', () => {
  it('groups the traces of a conversation where its newest turn falls, turns first to last', () => {
    // Newest first, as the run's list holds them.
    const list = [t('c3', 300, 'int_1'), t('solo', 250), t('c2', 200, 'int_1'), t('other', 150, 'int_9'), t('c1', 100, 'int_1')];
    const out = groupConversations(list);
    assert.equal(out.length, 3);
    assert.ok(isConversation(out[0]));
    assert.equal(out[0].conversationId, 'int_1');
    assert.deepEqual(out[0].traces.map((x) => x.id), ['c1', 'c2', 'c3']);
    assert.deepEqual([out[1], out[2]].map((x) => (isConversation(x) ? x.conversationId : x.id)), ['solo', 'other'], 'a tag on one trace groups nothing');
  });

  it('sums the turns, says when one is running or failed', () => {
    const [c] = groupConversations([t('b', 200, 'x', { state: 'IN_PROGRESS', durationMs: null }), t('a', 100, 'x', { usage: { input: 5, output: 2, total: 7, cached: 0, thinking: 0 } })]);
    assert.ok(isConversation(c));
    assert.deepEqual(conversationFacts(c), { turns: 2, durationMs: null, tokens: 7, running: true, failed: false, lastMs: 200 });
  });

  it('labels a conversation with its first input when the preview holds it whole', () => {
    const [c] = groupConversations([t('b', 2, 'x'), t('a', 1, 'x', { requestPreview: '{"model": "m", "input": "What is the weather?"}' })]);
    assert.ok(isConversation(c));
    assert.equal(conversationLabel(c), 'What is the weather?');
    const [d] = groupConversations([t('b', 2, 'y'), t('a', 1, 'y', { requestPreview: '{"model": "m", "input": "cut off' })]);
    assert.ok(isConversation(d));
    assert.equal(conversationLabel(d), 'Conversation y');
  });
});
