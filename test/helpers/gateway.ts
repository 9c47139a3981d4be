// MLflow AI Gateway endpoints in the test MLflow, made through MLflow's own REST API (MLflow 3.17
// has no gateway CLI): a secret naming the provider and its API base, a model definition, and an
// endpoint routing to it. The server must allow a loopback API base over http:
// MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS=true and MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES=http,https
// (GATEWAY_SERVER_ENV; without them MLflow answers "Invalid Gateway secret api_base scheme: 'http'",
// then "must not resolve to a non-public IP address").
//
// Routes a client calls (prefix `<mlflow>/gateway`):
// - `openai` provider, `api_base` = `<stand-in>/v1`: the OpenAI routes, `/gateway/openai/v1/chat/completions`
//   with `model` = the endpoint's name, reach the stand-in at `/v1/chat/completions`.
// - The Gemini route `/gateway/gemini/v1beta/models/<endpoint>:generateContent` works only with a
//   provider that passes Gemini requests through: the `gemini` provider's URL is Google's, fixed in
//   MLflow; the `databricks` provider takes an `api_base` and forwards to
//   `<api_base>/serving-endpoints/gemini/v1beta/models/<model>:generateContent` (after a GET of
//   `/.well-known/databricks-config`, which may 404). The Gemini SDKs must ask for `v1beta`: their
//   default `v1` is answered 404 by the gateway.

export const GATEWAY_SERVER_ENV = {
  MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS: 'true',
  MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES: 'http,https',
};

export interface GatewayEndpoint {
  name: string;
  endpointId: string;
}

async function post<T>(mlflow: string, path: string, body: unknown): Promise<T> {
  const r = await fetch(`${mlflow}/api/3.0/mlflow/gateway/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`MLflow gateway ${path} -> HTTP ${r.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** An endpoint `name` routing to `model` at `apiBase` through `provider`; its traces (usage tracking)
 *  go to `experimentId`. */
export async function createGatewayEndpoint(mlflow: string, o: { name: string; provider: 'openai' | 'databricks'; apiBase: string; model: string; experimentId: string }): Promise<GatewayEndpoint> {
  const { secret } = await post<{ secret: { secret_id: string } }>(mlflow, 'secrets/create', {
    secret_name: `${o.name}-secret`, secret_value: { api_key: 'test-key' }, provider: o.provider, auth_config: { api_base: o.apiBase },
  });
  const { model_definition: md } = await post<{ model_definition: { model_definition_id: string } }>(mlflow, 'model-definitions/create', {
    name: `${o.name}-model`, secret_id: secret.secret_id, provider: o.provider, model_name: o.model,
  });
  const { endpoint } = await post<{ endpoint: { endpoint_id: string } }>(mlflow, 'endpoints/create', {
    name: o.name, model_configs: [{ model_definition_id: md.model_definition_id, linkage_type: 'PRIMARY', weight: 1 }], experiment_id: o.experimentId, usage_tracking: true,
  });
  return { name: o.name, endpointId: endpoint.endpoint_id };
}
