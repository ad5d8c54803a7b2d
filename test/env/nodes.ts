/** Fake nodes for kwok: Nodes that kwok keeps Ready, onto which the scheduler places Pods. */

import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';

/** The annotation kwok is told to manage nodes by. */
export const fakeNodeAnnotation = 'kwok.x-k8s.io/node';

function fakeNode(name: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [fakeNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  };
}

/** Creates `count` fake nodes and waits until kwok reports every one Ready. */
export async function createFakeNodes(
  kubeconfig: string,
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  for (const name of names) await core.createNode({ body: fakeNode(name) });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const nodes = await core.listNode({ labelSelector: 'type=kwok' });
    const ready = nodes.items.filter((node) =>
      node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length >= count) return;
    await sleep(250);
  }
  throw new Error(
    `fake nodes: ${names.join(', ')} not Ready after ${timeoutMs} ms (is kwok running?)`,
  );
}
