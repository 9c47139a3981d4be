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

  it('asks for a missing experiment again at once after a signal, otherwise not within seconds', async () => {
    const experiments: Experiment[] = [];
    let asked = 0;
    const api = {
      searchExperiments: async () => ({ experiments: [], nextPageToken: undefined }),
      getExperimentByName: async (name: string) => {
        asked++;
        return experiments.find((e) => e.name === name);
      },
    };
    const resolver = new ExperimentResolver((() => api) as unknown as Api, connection);
    assert.equal(await resolver.configured(), undefined);
    experiments.push({ experiment_id: '3', name: 'Default-2' }); // a traced app created it
    assert.equal(await resolver.configured(), undefined, 'not asked again right away');
    assert.equal(asked, 1);
    resolver.askMissingAgain(); // its first upload's signal
    assert.equal((await resolver.configured())?.experiment_id, '3');
    assert.equal(asked, 2);
    resolver.askMissingAgain();
    assert.equal((await resolver.configured())?.experiment_id, '3', 'a found experiment stays found');
    assert.equal(asked, 2);
  });

  it('leaves a lookup still in flight to answer', async () => {
    const held = server([{ experiment_id: '4', name: 'Default-2' }]);
    let calls = 0;
    const api = { ...held.api, getExperimentByName: (name: string) => (calls++, held.api.getExperimentByName(name)) };
    const resolver = new ExperimentResolver((() => api) as unknown as Api, connection);
    const first = resolver.configured();
    resolver.askMissingAgain();
    const second = resolver.configured();
    await held.release();
    assert.equal((await first)?.experiment_id, '4');
    assert.equal((await second)?.experiment_id, '4');
    assert.equal(calls, 1, 'one request');
  });
});
