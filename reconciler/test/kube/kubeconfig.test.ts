import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { localEnv } from '../../../test/env/for-tests.ts';
import { createKube } from '../../src/kube/client.ts';
import { inCluster, loadClusterAccess } from '../../src/kube/kubeconfig.ts';

const env = localEnv();

/** A kubeconfig with one context whose user is `user`. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'here',
    contexts: [{ name: 'here', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
  });
}

async function optionsOf(access: { applyToHTTPSOptions(o: https.RequestOptions): Promise<void> }) {
  const opts: https.RequestOptions = {};
  await access.applyToHTTPSOptions(opts);
  return opts;
}

describe('loading cluster access without client-node', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kustodian-kubeconfig-'));
    await mkdir(join(dir, 'certs'));
    await writeFile(join(dir, 'certs/ca.crt'), 'CA PEM');
    await writeFile(join(dir, 'certs/client.crt'), 'CERT PEM');
    await writeFile(join(dir, 'certs/client.key'), 'KEY PEM');
    await writeFile(join(dir, 'token'), 'file-token\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const load = async (text: string, name = 'config') => {
    await writeFile(join(dir, name), text);
    return loadClusterAccess({ file: join(dir, name), env: {}, home: dir });
  };

  test('reaches the local API server with the kubeconfig of the environment', async () => {
    const access = await loadClusterAccess({ file: env().kubeconfig, env: {}, home: dir });
    assert.ok(!(access instanceof KubeConfig), 'read without client-node');
    const namespaces = await createKube(access).list('v1', 'Namespace');
    assert.ok(namespaces.items.some((item) => item.metadata.name === 'default'));
  });

  test('reads certificate files relative to the kubeconfig, and inline data', async () => {
    const files = await load(
      kubeconfig(
        { 'certificate-authority': 'certs/ca.crt', 'tls-server-name': 'api.internal' },
        { 'client-certificate': 'certs/client.crt', 'client-key': join(dir, 'certs/client.key') },
      ),
    );
    const opts = await optionsOf(files);
    assert.equal(String(opts.ca), 'CA PEM');
    assert.equal(String(opts.cert), 'CERT PEM');
    assert.equal(String(opts.key), 'KEY PEM');
    assert.equal(opts.servername, 'api.internal');
    assert.equal(files.getCurrentCluster()?.server, 'https://127.0.0.1:6443');

    const inline = await load(
      kubeconfig(
        { 'certificate-authority-data': Buffer.from('CA').toString('base64') },
        { 'client-certificate-data': Buffer.from('CERT').toString('base64') },
      ),
    );
    const inlineOpts = await optionsOf(inline);
    assert.equal(String(inlineOpts.ca), 'CA');
    assert.equal(String(inlineOpts.cert), 'CERT');
  });

  test('sends a token, a token file or basic auth, and skips verification only when told', async () => {
    const token = await optionsOf(await load(kubeconfig({}, { token: 'inline-token' })));
    assert.deepEqual(token.headers, { Authorization: 'Bearer inline-token' });
    assert.equal(token.rejectUnauthorized, undefined);
    const file = await optionsOf(
      await load(kubeconfig({ 'insecure-skip-tls-verify': true }, { tokenFile: 'token' })),
    );
    assert.deepEqual(file.headers, { Authorization: 'Bearer file-token' });
    assert.equal(file.rejectUnauthorized, false);
    const basic = await optionsOf(await load(kubeconfig({}, { username: 'u', password: 'p' })));
    assert.equal(basic.auth, 'u:p');
  });

  test('hands credential plugins and merged KUBECONFIG lists to client-node', async () => {
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' };
    assert.ok((await load(kubeconfig({}, { exec }))) instanceof KubeConfig);
    const merged = await loadClusterAccess({
      env: { KUBECONFIG: `${env().kubeconfig}:${join(dir, 'config')}` },
      home: dir,
    });
    assert.ok(merged instanceof KubeConfig);
  });

  test('uses the Pod service account in the cluster, and says what is missing elsewhere', async () => {
    await writeFile(join(dir, 'ca.crt'), 'SA CA');
    const access = inCluster('fd00::1', '443', dir);
    assert.equal(access.getCurrentCluster()?.server, 'https://[fd00::1]:443');
    const opts = await optionsOf(access);
    assert.equal(String(opts.ca), 'SA CA');
    assert.deepEqual(opts.headers, { Authorization: 'Bearer file-token' });
    await assert.rejects(
      loadClusterAccess({ env: {}, home: join(dir, 'nowhere') }),
      /no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or run in a cluster/,
    );
  });
});
