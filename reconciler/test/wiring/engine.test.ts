/**
 * The engine port against the real API server: what an apply reports, as the pipeline sees it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ParsedObject, parseManifests } from '@kustodian/shared/manifests/parse';
import { localEnv } from '../../../test/env/for-tests.ts';
import { type Application, specOf } from '../../src/api/application.ts';
import { applyFailureMessage } from '../../src/controller/apply-failure.ts';
import type { AppContext } from '../../src/controller/ports.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { createEngine } from '../../src/wiring/engine.ts';
import { testKube } from '../kube/support.ts';

const env = localEnv();

/** An Application context for `namespace`, applying with the test's own rights. */
function contextFor(namespace: string, name: string, spec: object = {}): AppContext {
  const app: Application = {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace },
    spec: { source: { url: 'https://git.example.invalid/team/app.git' }, ...spec },
  };
  return { key: `${namespace}/${name}`, namespace, name, spec: specOf(app), app };
}

/** Rendered objects as the renderer hands them over (JSON is YAML). */
function parsed(objects: readonly KubeObject[]): ParsedObject[] {
  return parseManifests(objects.map((o) => JSON.stringify(o)).join('\n---\n'), 'objects.yaml');
}

describe('the engine applying a set', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('engine');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  test('reports the object whose dry run failed, and only a count of those it held back', async () => {
    const many = (value: string): KubeObject[] =>
      Array.from({ length: 60 }, (_, index) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `config-${String(index).padStart(3, '0')}-with-a-long-name-to-fill` },
        data: { index: String(index), value },
      }));
    const refused: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'Not_A_Valid_Name' },
      data: {},
    };
    const engine = createEngine({ kube, clock: systemClock });
    const signal = new AbortController().signal;
    // The 60 exist and would change, so the new object is dry-run with them before any write.
    const first = await engine.apply(parsed(many('first')), contextFor(ns, 'many'), signal);
    assert.equal(first.created, 60, JSON.stringify(first.failures));
    const report = await engine.apply(
      parsed([...many('second'), refused]),
      contextFor(ns, 'many'),
      signal,
    );
    assert.equal(report.failures.length, 1, JSON.stringify(report.failures));
    assert.match(report.failures[0] ?? '', /^ConfigMap\/[^/]+\/Not_A_Valid_Name: /);
    assert.equal(report.skipped, 60);
    const message = applyFailureMessage(report) ?? '';
    assert.ok(message.startsWith('1 object(s) failed: ConfigMap/'), message);
    assert.ok(message.endsWith('; 60 other object(s) not applied because of it'), message);
    assert.ok(message.length < 1000, `${message.length} characters`);
    const live = await kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: many('')[0]?.metadata.name ?? '',
    });
    assert.equal(
      (live?.data as { value?: string } | undefined)?.value,
      'first',
      'nothing was written',
    );
  });

  test('names the objects applied IfNotPresent, with their namespace filled in', async () => {
    const once: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'once', annotations: { 'kustodian.dev/apply': 'IfNotPresent' } },
      data: { value: 'placeholder' },
    };
    const always: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'always' },
    };
    const engine = createEngine({ kube, clock: systemClock });
    const report = await engine.apply(
      parsed([once, always]),
      contextFor(ns, 'once'),
      new AbortController().signal,
    );
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.ifNotPresent, [`ConfigMap/${ns}/once`]);
  });
});
