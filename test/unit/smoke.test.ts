import assert from 'node:assert/strict';
import { MlflowError } from '../../src/mlflow/errors';

describe('smoke', () => {
  it('loads TypeScript sources', () => {
    assert.equal(new MlflowError('timeout', 'x').kind, 'timeout');
  });
});
