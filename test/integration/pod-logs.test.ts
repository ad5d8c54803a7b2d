/**
 * The fake nodes serve container logs through the API server's `pods/log`, read from a file that
 * a kwok ClusterLogs maps to the pods (see `test/env/pod-logs.ts`), with the query parameters a
 * kubelet honours: container, tailLines, sinceSeconds, timestamps and follow.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { localEnv } from '../env/for-tests.ts';
import { podLogs, type ServedLogs } from '../env/pod-logs.ts';
import { waitFor } from '../env/wait.ts';
import { rawRequest } from './raw-api.ts';

const env = localEnv();

/** A followed log: what arrived so far, and `close()` to hang up. */
async function followLog(kc: KubeConfig, path: string) {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const options: Parameters<typeof request>[1] = { method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  let text = '';
  let status = 0;
  const req = request(new URL(path, server), options, (res) => {
    status = res.statusCode ?? 0;
    res.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  return { text: () => text, status: () => status, close: () => req.destroy() };
}

describe('pod logs on the fake nodes', () => {
  let namespace: string;
  let logs: ServedLogs;
  const hourAgo = new Date(Date.now() - 3_600_000);
  const log = (query: string) =>
    rawRequest(env().kc, 'GET', `/api/v1/namespaces/${namespace}/pods/app/log?${query}`);

  before(async () => {
    namespace = await env().createNamespace('pod-logs');
    logs = await podLogs(env()).serve({ namespace, containers: ['app'] });
    await logs.append(['started an hour ago'], { at: hourAgo });
    await logs.append(['one', 'two']);
    const core = env().kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'app' },
        spec: {
          containers: [
            { name: 'app', image: 'registry.example/app:1' },
            { name: 'unlogged', image: 'registry.example/unlogged:1' },
          ],
        },
      },
    });
    await waitFor('pod app Running', async () => {
      const pod = await core.readNamespacedPod({ namespace, name: 'app' });
      return pod.status?.phase === 'Running';
    });
  });
  after(async () => {
    await logs?.stop();
  });

  test('a container reads every line of its file', async () => {
    const res = await log('container=app');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, 'started an hour ago\none\ntwo\n');
  });

  test('tailLines and sinceSeconds keep the last lines and the recent ones', async () => {
    assert.equal((await log('container=app&tailLines=1')).text, 'two\n');
    assert.equal((await log('container=app&sinceSeconds=600')).text, 'one\ntwo\n');
  });

  test('timestamps prefixes each line with the time it was written', async () => {
    const lines = (await log('container=app&timestamps=true')).text.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const [time, ...text] = (lines[0] ?? '').split(' ');
    assert.equal(new Date(time ?? '').getTime(), hourAgo.getTime());
    assert.equal(text.join(' '), 'started an hour ago');
  });

  test('follow streams the lines appended to the file until the client hangs up', async () => {
    const followed = await followLog(
      env().kc,
      `/api/v1/namespaces/${namespace}/pods/app/log?container=app&follow=true&tailLines=1`,
    );
    try {
      await waitFor('the last line so far', async () => followed.text() === 'two\n');
      await logs.append(['three']);
      await waitFor('the appended line', async () => followed.text() === 'two\nthree\n');
      assert.equal(followed.status(), 200);
    } finally {
      followed.close();
    }
  });

  test('a container no file serves, and one the pod does not have, are 400s that say so', async () => {
    const unlogged = await log('container=unlogged');
    assert.equal(unlogged.status, 400);
    assert.match(
      (unlogged.body as { message: string }).message,
      new RegExp(`^no logs found for container "unlogged" in pod "${namespace}/app"$`),
    );
    const missing = await log('container=nope');
    assert.equal(missing.status, 400);
    assert.equal(
      (missing.body as { message: string }).message,
      'container nope is not valid for pod app',
    );
  });
});
