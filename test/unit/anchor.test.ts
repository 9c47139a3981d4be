import assert from 'node:assert/strict';
import { reanchor } from '../../src/code/anchor';

describe('call-site hint re-anchoring', () => {
  const file = ['import x', '', 'const r = await ai.models.generateContent({ model, contents });', 'console.log(r.text);'];

  it('keeps the recorded line when its text is unchanged', () => {
    assert.equal(reanchor(2, file[2], file), 2);
  });

  it('follows the call when lines are inserted above it', () => {
    const edited = ['// new comment', '// another', ...file];
    assert.equal(reanchor(2, file[2], edited), 4);
  });

  it('ignores indentation changes', () => {
    const edited = file.map((l, i) => (i === 2 ? `    ${l}` : l));
    assert.equal(reanchor(2, file[2], edited), 2);
  });

  it('hides the hint when the call was deleted', () => {
    assert.equal(reanchor(2, file[2], file.filter((_, i) => i !== 2)), undefined);
  });

  it('hides the hint when two equally near lines hold the same text', () => {
    const edited = [file[2], 'other', 'changed', 'other', file[2]];
    assert.equal(reanchor(2, file[2], edited), undefined);
  });

  it('picks the nearer of two copies', () => {
    const edited = [file[2], 'a', 'b', file[2], 'c', 'd', 'e', 'f'];
    assert.equal(reanchor(4, file[2], edited), 3);
  });

  it('never anchors on a blank line', () => {
    assert.equal(reanchor(1, '', file), undefined);
  });
});
