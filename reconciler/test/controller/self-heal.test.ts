/**
 * When `selfHeal: false` leaves drift alone: only for the revision and the generation that were
 * last applied successfully, so a new commit, a new spec or an apply that never succeeded at
 * this generation still writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseApplicationSpec } from '@kustodian/shared/config/application';
import type { Application, ApplicationStatus } from '../../src/api/application.ts';
import { driftNote, leavesDrift } from '../../src/controller/self-heal.ts';

const revision = `main@sha1:${'a'.repeat(40)}`;

function ctx(selfHeal: boolean, generation: number, status: ApplicationStatus) {
  const spec = { source: { url: 'https://git.example.com/org/config.git' }, selfHeal };
  const app: Application = {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'apps', generation },
    spec,
    status,
  };
  return { app, spec: parseApplicationSpec(spec, 'Application apps/web') };
}

test('leaves drift alone once the revision was applied at the current generation', () => {
  const applied = { lastAppliedRevision: revision, lastAppliedGeneration: 3 };
  assert.equal(leavesDrift(ctx(false, 3, applied), revision), true);
});

test('writes for a new revision, a new generation, an older status or with selfHeal on', () => {
  const applied = { lastAppliedRevision: revision, lastAppliedGeneration: 3 };
  assert.equal(leavesDrift(ctx(false, 3, applied), `main@sha1:${'b'.repeat(40)}`), false);
  assert.equal(leavesDrift(ctx(false, 4, applied), revision), false);
  assert.equal(leavesDrift(ctx(false, 3, { lastAppliedRevision: revision }), revision), false);
  assert.equal(leavesDrift(ctx(true, 3, applied), revision), false);
});

test('the Ready note names the first five drifted objects and counts the rest', () => {
  assert.equal(driftNote([]), '');
  const drifted = Array.from({ length: 7 }, (_, i) => `ConfigMap/apps/c${i}: missing`);
  assert.equal(
    driftNote(drifted),
    '; 7 object(s) changed in the cluster and left as they are (selfHeal is off): ConfigMap/apps/c0: missing; ConfigMap/apps/c1: missing; ConfigMap/apps/c2: missing; ConfigMap/apps/c3: missing; ConfigMap/apps/c4: missing; and 2 more',
  );
});
