// The Traces view's root and the configured experiment a traced app creates after the root was
// drawn: the live poll's own lookup may find (and cache) it first, and its traces must still have
// the root listed again. A rehearsal's e2e run waited 90 s with the traces in MLflow.
import * as assert from 'node:assert/strict';
import type { Services } from '../../src/core/services';
import type { Node } from '../../src/explorer/nodes';
import { childrenOf } from '../../src/explorer/treeLevels';
import { pollOnce } from '../../src/explorer/treeLive';
import { TreeState } from '../../src/explorer/treeState';

describe('Traces view root and an experiment created after it was drawn', () => {
  it('lists the root again when live traces arrive for the configured experiment, once', async () => {
    const other = { experiment_id: '1', name: 'other' };
    const mine = { experiment_id: '2', name: 'mine' };
    let created = false;
    const info = (id: string, exp: string) => ({ trace_id: id, request_time: new Date().toISOString(), state: 'OK', trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }, tags: {}, trace_metadata: {} });
    const api = {
      searchExperiments: async () => ({ experiments: created ? [mine, other] : [other] }),
      getExperimentByName: async (name: string) => (name === 'mine' && created ? mine : undefined),
      searchTraces: async (q: { experimentIds: string[] }) => ({ traces: q.experimentIds.includes('2') && created ? [info('tr-a', '2')] : q.experimentIds.includes('1') ? [info('tr-o', '1')] : [] }),
      searchRuns: async () => ({ runs: [] }),
      health: async () => undefined,
    };
    const services = {
      connection: { client: () => api, experimentName: 'mine', experimentId: undefined, state: 'connected', report: () => undefined },
      runs: { active: [], latest: undefined },
      traces: { invalidate: () => undefined },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    } as unknown as Services;
    const redrawn: (Node | undefined)[] = [];
    const s = new TreeState(services, (n) => redrawn.push(n), () => undefined);
    const names = async () => (await childrenOf(s)).map((n) => (n.kind === 'experiment' ? n.experiment.name : n.kind));
    assert.deepEqual(await names(), ['other'], 'drawn before the app created its experiment');
    await pollOnce(s, undefined, true);
    created = true; // the app's first upload creates it; its signal starts the next poll
    await pollOnce(s, undefined, true);
    assert.ok(s.experiments.cachedList().some((e) => e.experiment_id === '2'), "the poll's lookup found and cached it");
    assert.equal(redrawn.filter((n) => n === undefined).length, 1, 'the root is listed again');
    assert.deepEqual(await names(), ['mine', 'other']);
    await pollOnce(s, undefined, true);
    assert.equal(redrawn.filter((n) => n === undefined).length, 1, 'not again while nothing else changed');
  });
});
