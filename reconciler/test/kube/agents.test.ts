import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { localEnv } from '../../../test/env/for-tests.ts';
import { keepAliveAgent } from '../../src/kube/agents.ts';

const env = localEnv();

test('one agent, with one TLS context, serves every request with the same credentials', async () => {
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(env().kubeconfig, 'utf8'));
  // client-node reads the files again for every request: equal bytes in new buffers.
  const first = {};
  const second = {};
  await kc.applyToHTTPSOptions(first);
  await kc.applyToHTTPSOptions(second);
  const agent = keepAliveAgent(first);
  assert.equal(keepAliveAgent(second), agent);
  assert.equal(keepAliveAgent(first), agent);
  const options = (agent as unknown as { options: Record<string, unknown> }).options;
  assert.ok(options.secureContext, 'the connections share one secure context');
  assert.equal(options.keepAlive, true);
  const other = keepAliveAgent({ ...first, servername: 'elsewhere.example' });
  assert.notEqual(other, agent, 'other TLS settings get an agent of their own');
});
