// The experiment resolver across a change of server: an answer from the server the tree left
// (a request still in flight when the tracking URI changed) must not land in the new server's
// cache. CI saw the tree stay empty for a minute on a fresh second server after such a switch.
import assert from 'node:assert/strict';
import { ExperimentResolver } from '../../src/explorer/experiments';
import type { Api } from '../../src/explorer/traceSource';
import type { Connection } from '../../src/core/services';
import type { Experiment } from '../../src/mlflow/types';

/** A server whose answers the test releases by hand (held), or that answers at once. */
function server(experiments: Experiment[], held = true) {
  const pending: (() => void)[] = [];
  const later = <T>(value: T) => (held ? new Promise<T>((resolve) => pending.push(() => resolve(value))) : Promise.resolve(value));
  const api = {
    searchExperiments: () => later({ experiments, nextPageToken: undefined }),
    getExperimentByName: (name: string) => later(experiments.find((e) => e.name === name)),
  };
  return { api, release: async () => { for (const go of pending.splice(0)) go(); await new Promise((r) => setImmediate(r)); } };
}

describe('explorer experiment resolver', () => {
  const connection = { experimentName: 'Default-2', experimentId: undefined } as unknown as Connection;

  it('drops what the old server answers after an invalidation', async () => {
    const old = server([{ experiment_id: '7', name: 'Default-2' }, { experiment_id: '8', name: 'other' }]);
    const fresh = server([{ experiment_id: '1', name: 'Default-2' }], false);
    let current = old;
    const resolver = new ExperimentResolver((() => current.api) as unknown as Api, connection);
    const stale = resolver.list();
    void resolver.configured();
    current = fresh;
    resolver.invalidate();
    await old.release();
    await stale;
    assert.deepEqual(resolver.cachedList().map((e) => e.experiment_id), ['1'], 'only the new server\'s experiment is cached');
    assert.deepEqual((await resolver.list()).experiments.map((e) => e.experiment_id), ['1']);
    assert.equal((await resolver.configured())?.experiment_id, '1');
  });
});
