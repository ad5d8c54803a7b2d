/**
 * The pure matrix (query/src/matrix.ts) from YAML fixtures: how an Application's environment
 * and application are named (labels, the overlay path, the cluster, the name), and what each
 * cell says (revision, images and tags, app commit, health, Ready, since).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { RawApplication } from '../src/kube.ts';
import { buildMatrix, type ClusterApplications, cellState, placeOf, tagOf } from '../src/matrix.ts';
import type { LiveObject } from '../src/objects.ts';

const docs = parseAllDocuments(
  await readFile(new URL('testdata/matrix-apps.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as RawApplication & LiveObject);
const [web, api, webQa, webDeployment, apiDeployment, cleanup, prodWeb, payments] =
  docs as (RawApplication & LiveObject)[];

const staging: ClusterApplications = {
  cluster: 'staging',
  applications: [webQa, api, web] as RawApplication[],
  workloads: new Map([
    ['apps/Deployment/web/web', webDeployment as LiveObject],
    ['apps/Deployment/api/api', apiDeployment as LiveObject],
    ['batch/CronJob/api/cleanup', cleanup as LiveObject],
  ]),
};
const production: ClusterApplications = {
  cluster: 'production',
  applications: [prodWeb, payments] as RawApplication[],
};

describe('matrix', () => {
  test('environments come from the label, else the overlay of the source path, else the cluster', () => {
    const matrix = buildMatrix([staging, production]);
    assert.deepEqual(
      matrix.environments.map((e) => `${e.key} ${e.from}`),
      // The production overlay in the production cluster and the cluster itself are one column.
      ['production/production path', 'staging/qa label', 'staging/staging path'],
    );
  });

  test('applications come from the labels, else the directory above the overlay, else the name without its environment', () => {
    const matrix = buildMatrix([staging, production]);
    assert.deepEqual(
      matrix.applications.map((a) => `${a.group || '-'} ${a.name} ${a.from}`),
      ['- billing label', 'acme-shop api path', 'acme-shop web path'],
    );
    assert.deepEqual(placeOf(webQa as RawApplication, 'staging').application, {
      name: 'web',
      group: '',
      from: 'name',
    });
    assert.equal(
      placeOf(webQa as RawApplication, 'staging', {
        environment: 'acme.example/env',
        application: 'kustodian.dev/app',
      }).environment.from,
      'cluster',
    );
  });

  test('each cell names the Application, its revision, images and tags, app commit, health, Ready and since', () => {
    const cells = buildMatrix([staging, production]).cells;
    assert.deepEqual(
      cells.map((c) => `${c.application} ${c.environment} ${c.object.namespace}/${c.object.name}`),
      [
        'api staging/staging kustodian-system/api',
        'billing production/production billing/payments',
        'web production/production kustodian-system/web',
        'web staging/qa qa/web-qa',
        'web staging/staging kustodian-system/web',
      ],
    );
    const webCell = cells.find(
      (c) => c.environment === 'staging/staging' && c.application === 'web',
    );
    assert.deepEqual(webCell, {
      environment: 'staging/staging',
      application: 'web',
      object: { namespace: 'kustodian-system', name: 'web' },
      revision: 'main@sha1:aaa1110000000000000000000000000000000000',
      commit: 'aaa1110000000000000000000000000000000000',
      images: ['ghcr.io/acme/web-migrate:1.4.3', 'ghcr.io/acme/web:1.4.3', 'nginx'],
      tags: ['1.4.3', 'latest'],
      appCommit: '9be1c0d2a7f30000000000000000000000000000',
      appRepository: 'acme/web',
      health: 'Healthy',
      ready: 'True',
      reason: 'ReconciliationSucceeded',
      suspended: false,
      since: '2026-12-03T10:00:10Z',
    });
  });

  test('a failed newer sync leaves the applied revision and its since; digests are tags by their first hex digits', () => {
    const cell = buildMatrix([staging]).cells.find((c) => c.application === 'api');
    assert.equal(cell?.commit, 'bbb2220000000000000000000000000000000000');
    assert.equal(cell?.since, '2026-12-03T09:00:05Z');
    assert.deepEqual(
      [cell?.ready, cell?.reason, cell?.health],
      ['False', 'ApplyFailed', 'Degraded'],
    );
    assert.deepEqual(cell?.tags, ['sha256:0123456789ab']);
    assert.equal(cell?.images?.length, 1);
  });

  test('an Application never synced has empty fields; unread workloads give no images, not an empty list', () => {
    const cells = buildMatrix([staging, production]).cells;
    const qa = cells.find((c) => c.environment === 'staging/qa');
    assert.deepEqual(
      [qa?.revision, qa?.since, qa?.ready, qa?.health, qa?.suspended],
      ['', '', 'Unknown', 'Unknown', true],
    );
    assert.deepEqual(qa?.images, []);
    const prod = cells.find(
      (c) => c.environment === 'production/production' && c.application === 'web',
    );
    assert.equal(prod?.images, null);
    assert.equal(prod?.tags, null);
  });

  test('a cell whose workloads could not be read has no images rather than an empty list', () => {
    const matrix = buildMatrix([{ ...staging, unread: new Set(['apps/Deployment/api/api']) }]);
    const api = matrix.cells.find((c) => c.application === 'api');
    assert.deepEqual([api?.images, api?.tags], [null, null]);
    assert.equal(matrix.cells.find((c) => c.object.name === 'web')?.images?.length, 3);
  });

  test('tags: a tag, latest when none, a digest shortened', () => {
    assert.equal(tagOf('ghcr.io/acme/web:1.4.3'), '1.4.3');
    assert.equal(tagOf('localhost:5000/web'), 'latest');
    assert.equal(
      tagOf('web:2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'),
      '2',
    );
  });

  test('a cell says Suspended, else the Ready reason when not Ready, else its health', () => {
    const states = buildMatrix([staging, production]).cells.map(
      (c) => `${c.object.namespace}/${c.object.name} ${cellState(c)}`,
    );
    assert.ok(states.includes('kustodian-system/web Healthy'), states.join('\n'));
    assert.ok(states.includes('qa/web-qa Suspended'), states.join('\n'));
    const base = { suspended: false, ready: 'False', reason: '', health: 'Healthy' };
    assert.equal(cellState({ ...base, reason: 'ApplyFailed' }), 'ApplyFailed');
    assert.equal(cellState(base), 'NotReady');
    assert.equal(cellState({ ...base, ready: 'Unknown', health: 'Progressing' }), 'Progressing');
  });
});
