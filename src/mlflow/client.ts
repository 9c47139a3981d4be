// Placeholder: the foundation issue's REST client replaces this file.
import type { ClientOptions, MlflowApi } from './api';
import { MlflowError } from './errors';

const notYet = (): never => { throw new MlflowError('unsupported', 'MLflow client not implemented yet'); };

export class MlflowClient implements MlflowApi {
  readonly baseUrl: string;
  constructor(opts: ClientOptions) { this.baseUrl = opts.trackingUri; }
  health = notYet;
  searchExperiments = notYet;
  getExperimentByName = notYet;
  createExperiment = notYet;
  searchTraces = notYet;
  getTraceInfo = notYet;
  getTrace = notYet;
  deleteTraces = notYet;
  setTraceTag = notYet;
  deleteTraceTag = notYet;
  traceUiUrl = notYet;
}
