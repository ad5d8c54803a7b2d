/**
 * What the cluster-side tests share: a client for the local environment, unique names, a test
 * CRD whose schema keeps unknown fields and int-or-string values, and polling until a condition
 * holds.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { createKube, type KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/object.ts';

/** A client with a generous rate limit, so tests are not slowed down by it. */
export function testKube(kc: KubeConfig): KubeClient {
  return createKube(kc, { rateLimit: { qps: 500, burst: 1000 } });
}

/** A lowercase name unique to this run: `<prefix>-<6 hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A namespaced CRD `Widget` in a group of its own, and how to build its objects. */
export interface TestCrd {
  group: string;
  apiVersion: string;
  crd: KubeObject;
  widget(namespace: string, name: string, spec: Record<string, unknown>): KubeObject;
}

/**
 * A CRD in a unique group with `spec.size` and `spec.port` as `x-kubernetes-int-or-string`,
 * `spec.config` as `x-kubernetes-preserve-unknown-fields`, and a status subresource.
 */
export function testCrd(): TestCrd {
  const group = `${uniqueName('t')}.test.kustodian.dev`;
  const apiVersion = `${group}/v1`;
  const intOrString = { 'x-kubernetes-int-or-string': true };
  const crd: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    size: intOrString,
                    port: intOrString,
                    replicas: { type: 'integer' },
                    config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
  return {
    group,
    apiVersion,
    crd,
    widget: (namespace, name, spec) => ({
      apiVersion,
      kind: 'Widget',
      metadata: { name, namespace },
      spec,
    }),
  };
}

/** Polls `probe` every `intervalMs` until it returns a value other than `undefined`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** Sums `apiserver_request_total` samples of the server's `/metrics` that match `labels`. */
export async function requestTotal(
  kube: KubeClient,
  labels: Record<string, string | ((value: string) => boolean)>,
): Promise<number> {
  const text = await kube.getRaw('/metrics');
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^apiserver_request_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const sample = Object.fromEntries(
      [...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    const matches = Object.entries(labels).every(([name, want]) => {
      const value = sample[name] ?? '';
      return typeof want === 'function' ? want(value) : value === want;
    });
    if (matches) sum += Number(match[2]);
  }
  return sum;
}
