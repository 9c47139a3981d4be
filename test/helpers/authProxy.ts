// A loopback proxy in front of a real MLflow that behaves like an MLflow behind an auth gateway:
// every request must carry exactly the Authorization header the test expects, else it gets the
// 401 (no header) or 403 (wrong header) MLflow's basic-auth app answers with. A request it lets
// through reaching the real MLflow and coming back 200 is proof the client sent the credentials.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface AuthProxy {
  url: string;
  /** The Authorization header to let through; undefined lets nothing through. */
  expect: string | undefined;
  /** Every request: what it carried and whether it was let through. */
  seen: { url: string; authorization: string | undefined; allowed: boolean }[];
  close(): Promise<void>;
}

export async function startAuthProxy(target: string): Promise<AuthProxy> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: AuthProxy = { url: '', expect: undefined, seen: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const authorization = req.headers.authorization;
    const allowed = proxy.expect !== undefined && authorization === proxy.expect;
    proxy.seen.push({ url: req.url ?? '', authorization, allowed });
    if (!allowed) {
      req.resume();
      const status = authorization ? 403 : 401;
      const headers: IncomingHttpHeaders = { 'content-type': 'application/json' };
      if (status === 401) headers['www-authenticate'] = 'Basic realm="mlflow"';
      res.writeHead(status, headers);
      res.end(JSON.stringify({ error_code: status === 401 ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED', message: status === 401 ? 'You are not authenticated.' : 'Permission denied.' }));
      return;
    }
    // A connection of its own per request, never a pooled one MLflow's keep-alive timeout may close
    // under it (see fixtures/faults/servers.ts).
    const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host }, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'BAD_GATEWAY', message: e.message }));
      } else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
}
