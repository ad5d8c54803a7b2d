import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createLogger, memorySink } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { type PushEvent, signBody } from '../../src/server/github.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';

const secret = 'a-webhook-secret';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Send {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Written in these chunks, with `pauseMs` between them (chunked encoding). */
  chunks?: (string | Buffer)[];
  body?: string | Buffer;
  pauseMs?: number;
}

/** Sends one request over a fresh connection and reads the answer. */
function send(base: string, options: Send): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(options.path, base), {
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      agent: false,
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString(),
        }),
      );
    });
    req.on('error', reject);
    void (async () => {
      for (const chunk of options.chunks ?? []) {
        if (req.destroyed) return;
        req.write(chunk);
        if (options.pauseMs) await new Promise((done) => setTimeout(done, options.pauseMs));
      }
      if (!req.destroyed) req.end(options.body);
    })();
  });
}

function hook(event: string, body: string | Buffer, signature = signBody(secret, body)): Send {
  return {
    method: 'POST',
    path: '/hooks/github',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': 'delivery-1',
      'X-Hub-Signature-256': signature,
    },
    body,
  };
}

const pushBody = JSON.stringify({
  ref: 'refs/heads/main',
  after: 'b'.repeat(40),
  repository: {
    clone_url: 'https://github.com/Org/Config.git',
    ssh_url: 'git@github.com:Org/Config.git',
    html_url: 'https://github.com/Org/Config',
    git_url: 'git://github.com/Org/Config.git',
  },
});

describe('http server', () => {
  let server: RunningServer;
  let probes = '';
  let hooks = '';
  let ready = false;
  const pushes: PushEvent[] = [];
  const logs = memorySink();
  const metrics = createMetrics({ processMetrics: false });

  before(async () => {
    server = await startServer({
      listeners: [
        { port: 0, host: '127.0.0.1', routes: ['healthz', 'readyz', 'metrics'] },
        { port: 0, host: '127.0.0.1', routes: ['webhook'] },
      ],
      ready: () => ready,
      registry: metrics.registry,
      webhook: {
        secret,
        onPush: async (push) => {
          if (push.ref === 'refs/heads/unreachable') throw new Error('the API server is away');
          pushes.push(push);
          return { route: 'requested', applications: 2 };
        },
        readTimeoutMs: 300,
      },
      logger: createLogger({ sink: logs }),
    });
    probes = server.listeners[0]?.url ?? '';
    hooks = server.listeners[1]?.url ?? '';
  });
  after(() => server.close());

  it('answers /healthz while the process runs', async () => {
    const answer = await send(probes, { path: '/healthz' });
    assert.equal(answer.status, 200);
  });

  it('answers /readyz from the readiness callback', async () => {
    ready = false;
    assert.equal((await send(probes, { path: '/readyz' })).status, 503);
    ready = true;
    assert.equal((await send(probes, { path: '/readyz' })).status, 200);
  });

  it('serves the registry in the Prometheus text format on /metrics', async () => {
    metrics.driftCorrections.inc();
    const answer = await send(probes, { path: '/metrics' });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(answer.body, /^kustodian_drift_corrections_total 1$/m);
  });

  it('serves each route only on the listeners given it', async () => {
    assert.equal((await send(hooks, { path: '/metrics' })).status, 404);
    assert.equal((await send(probes, hook('push', pushBody))).status, 404);
    assert.equal((await send(probes, { path: '/nowhere' })).status, 404);
  });

  it('triggers a refresh for a signed push, with the repository as one normalised key', async () => {
    pushes.length = 0;
    const answer = await send(hooks, hook('push', pushBody));
    assert.equal(answer.status, 202);
    assert.equal(answer.body, 'refresh requested of the leader for 2 Application(s)\n');
    assert.deepEqual(pushes, [
      { urls: ['github.com/org/config'], ref: 'refs/heads/main', after: 'b'.repeat(40) },
    ]);
  });

  it('answers 503 with Retry-After, not success, when the push could not be passed on', async () => {
    const body = pushBody.replace('refs/heads/main', 'refs/heads/unreachable');
    const answer = await send(hooks, hook('push', body));
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '10');
    assert.match(answer.body, /could not be requested/);
  });

  it('refuses a push with a wrong or missing signature without calling back', async () => {
    pushes.length = 0;
    const wrong = await send(hooks, hook('push', pushBody, signBody('another-secret', pushBody)));
    assert.equal(wrong.status, 401);
    const request = hook('push', pushBody);
    delete request.headers?.['X-Hub-Signature-256'];
    assert.equal((await send(hooks, request)).status, 401);
    assert.deepEqual(pushes, []);
    const line = logs.lines.find((entry) => entry.msg === 'webhook signature missing or wrong');
    assert.equal(line?.delivery, 'delivery-1');
  });

  it('answers a ping with 200 and ignores other events with 202', async () => {
    pushes.length = 0;
    assert.equal((await send(hooks, hook('ping', '{"zen":"hi"}'))).status, 200);
    const other = await send(hooks, hook('issues', '{"action":"opened"}'));
    assert.equal(other.status, 202);
    assert.match(other.body, /ignored/);
    assert.deepEqual(pushes, []);
  });

  it('refuses methods other than POST on the webhook', async () => {
    const answer = await send(hooks, { path: '/hooks/github' });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, 'POST');
  });

  it('refuses a body over 1 MiB, declared or streamed', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    assert.equal((await send(hooks, hook('push', big))).status, 413);
    const streamed = hook('push', '');
    streamed.chunks = [Buffer.alloc(600 * 1024, 'a'), Buffer.alloc(600 * 1024, 'a')];
    assert.equal((await send(hooks, streamed)).status, 413);
  });

  it('gives up on a client that does not finish its body in time', async () => {
    const slow = hook('push', '');
    slow.chunks = ['{', '"ref"', ':', '"x"'];
    slow.pauseMs = 150;
    const answer = await send(hooks, slow);
    assert.equal(answer.status, 408);
  });

  it('answers 400 to a signed push that is not a push payload', async () => {
    const answer = await send(hooks, hook('push', '{"ref":"refs/heads/main"}'));
    assert.equal(answer.status, 400);
  });
});

describe('http server without a webhook secret', () => {
  it('does not serve the webhook at all', async () => {
    const server = await startServer({
      listeners: [{ port: 0, host: '127.0.0.1' }],
      ready: () => true,
      registry: createMetrics({ processMetrics: false }).registry,
      logger: createLogger({ sink: memorySink() }),
    });
    try {
      const answer = await send(server.listeners[0]?.url ?? '', hook('push', pushBody));
      assert.equal(answer.status, 404);
    } finally {
      await server.close();
    }
  });

  it('rejects when a port is taken', async () => {
    const options = {
      ready: () => true,
      registry: createMetrics({ processMetrics: false }).registry,
      logger: createLogger({ sink: memorySink() }),
    };
    const first = await startServer({ ...options, listeners: [{ port: 0, host: '127.0.0.1' }] });
    try {
      const port = first.listeners[0]?.port ?? 0;
      await assert.rejects(
        startServer({ ...options, listeners: [{ port, host: '127.0.0.1' }] }),
        /cannot listen: .*EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});
