/**
 * The pure pieces behind the demo and the loop test: how a runner shows a step's log and fills
 * its inputs, what a push webhook carries, which milestones an observation shows, and the
 * demo's command line and printing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parsePushEvent,
  repoKey,
  signBody,
  verifySignature,
} from '../../reconciler/src/server/github.ts';
import { reached, revisionOf, shortRevision, type Target } from '../demo/converge.ts';
import type { KubeObject } from '../demo/kube.ts';
import { demoOptions } from '../demo/options.ts';
import { nextPatch } from '../demo/release.ts';
import { formatDuration, table, timingLines } from '../demo/report.ts';
import { inputVariable, type RunnerContext, resolveInputs } from '../demo/runner.ts';
import { parseOutputFile, renderRunnerLog } from '../demo/runner-log.ts';
import { pushPayload } from '../demo/webhook.ts';
import { withNamespaceSuffix } from '../e2e/forges.ts';

const context: RunnerContext = {
  repository: 'acme/web',
  sha: 'c'.repeat(40),
  ref: 'refs/tags/v1.4.3',
  eventName: 'release',
  event: {},
  runId: '7',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  token: 'ghs_token-of-the-run',
};

test('a step log reads as the runner shows it, with every secret masked', () => {
  const output = [
    '::add-mask::hunter2',
    '::group::Build overlays',
    'cloned with hunter2 and ghs_token-of-the-run',
    '::endgroup::',
    '::debug::not shown',
    '::error file=apps/web/kustomization.yaml,line=3::bad%0Atag',
    '::warning::image is :latest',
    '',
  ].join('\n');
  assert.deepEqual(renderRunnerLog(output, [context.token]), [
    '▸ Build overlays',
    'cloned with *** and ***',
    'Error: apps/web/kustomization.yaml:3: bad',
    'tag',
    'Warning: image is :latest',
  ]);
});

test('GITHUB_OUTPUT heredocs and plain lines become outputs', () => {
  const text = 'changed=true\nchanged-paths<<ghadelim_1\na.yaml\nb.yaml\nghadelim_1\ncommit-sha=\n';
  assert.deepEqual(parseOutputFile(text), {
    changed: 'true',
    'changed-paths': 'a.yaml\nb.yaml',
    'commit-sha': '',
  });
});

test('inputs get action.yml defaults with github expressions resolved, given values winning', () => {
  const declared = {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, as action.yml has it
    repository: { default: '${{ github.repository }}' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, as action.yml has it
    token: { default: '${{ github.token }}' },
    commit: { default: 'push' },
    'pr-base': { default: '' },
    paths: {},
  };
  assert.deepEqual(resolveInputs(declared, { commit: 'api' }, context), {
    repository: 'acme/web',
    token: context.token,
    commit: 'api',
    'pr-base': '',
    paths: '',
  });
  assert.equal(inputVariable('pr-base'), 'INPUT_PR-BASE');
  assert.equal(inputVariable('my input'), 'INPUT_MY_INPUT');
});

test("the push payload is one the reconciler's receiver verifies and keys like the Application URL", () => {
  const cloneUrl = 'https://127.0.0.1:8443/acme/config.git';
  const body = JSON.stringify(
    pushPayload({ cloneUrl, fullName: 'acme/config', branch: 'main', before: 'a', after: 'b' }),
  );
  assert.ok(verifySignature('s3cret', Buffer.from(body), signBody('s3cret', body)));
  const parsed = parsePushEvent(body);
  assert.ok(parsed.ok);
  assert.equal(parsed.push.ref, 'refs/heads/main');
  assert.deepEqual(parsed.push.urls, [repoKey(cloneUrl)]);
});

function deployment(image: string, status: Record<string, number>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', generation: 2 },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image }] } } },
    status,
  };
}

function application(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web' },
    status,
  };
}

test('milestones follow the Application status and the Deployment, each only when it holds', () => {
  const revision = revisionOf('main', 'b'.repeat(40));
  const target: Target = { revision, container: 'web', image: 'ghcr.io/acme/web:1.4.3' };
  const ready = [{ type: 'Ready', status: 'True' }];
  const rolled = { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 };
  const before = application({
    lastAppliedRevision: 'main@sha1:aaa',
    conditions: ready,
    health: { status: 'Healthy' },
  });
  assert.deepEqual(
    [...reached({ app: before, deployment: deployment('ghcr.io/acme/web:1.4.2', rolled) }, target)],
    [],
  );
  const fetched = application({ lastAttemptedRevision: revision, conditions: ready });
  const rolling = { ...rolled, replicas: 3, updatedReplicas: 1 };
  assert.deepEqual(
    [
      ...reached(
        { app: fetched, deployment: deployment('ghcr.io/acme/web:1.4.3', rolling) },
        target,
      ),
    ],
    ['seen', 'applied'],
  );
  const done = application({
    lastAppliedRevision: revision,
    conditions: ready,
    health: { status: 'Healthy' },
  });
  assert.deepEqual(
    [...reached({ app: done, deployment: deployment('ghcr.io/acme/web:1.4.3', rolled) }, target)],
    ['seen', 'applied', 'rolledOut', 'ready'],
  );
  assert.equal(shortRevision(revision), 'main@bbbbbbb');
});

test('the demo exits when asked or on CI, and refuses an unknown argument', () => {
  assert.deepEqual(demoOptions([], {}), { exitWhenDone: false, help: false });
  assert.deepEqual(demoOptions(['--exit'], {}), { exitWhenDone: true, help: false });
  assert.equal(demoOptions([], { CI: 'true' }).exitWhenDone, true);
  assert.equal(demoOptions([], { CI: 'false' }).exitWhenDone, false);
  assert.throws(() => demoOptions(['--exti'], {}), /unknown argument "--exti"/);
});

test('a release takes the next patch version, keeping a v prefix', () => {
  assert.equal(nextPatch('1.4.2'), '1.4.3');
  assert.equal(nextPatch('v2.0.9'), 'v2.0.10');
  assert.throws(() => nextPatch('latest'), /not a major\.minor\.patch version/);
});

test('timings and tables line up', () => {
  assert.equal(formatDuration(2_345), '2.3 s');
  assert.equal(formatDuration(62_000), '1 min 02 s');
  assert.deepEqual(
    timingLines([
      ['a', 1_000],
      ['longer', 500],
    ]),
    ['a            1.0 s', 'longer       0.5 s'],
  );
  assert.deepEqual(table(['NAME', 'READY'], [['web', 'True']]), ['NAME   READY', 'web    True']);
});

test('the example repository gets unique namespaces for a shared cluster, or a loud failure', () => {
  const files = {
    'apps/web/base/kustomization.yaml': 'namespace: web\nresources: []\n',
    'apps/web/base/namespace.yaml': 'kind: Namespace\nmetadata:\n  name: web\n',
    'apps/api/base/kustomization.yaml': 'namespace: api\n',
    'apps/api/base/namespace.yaml': 'metadata:\n  name: api\n',
  };
  const renamed = withNamespaceSuffix(files, 'x1');
  assert.equal(renamed['apps/web/base/kustomization.yaml'], 'namespace: web-x1\nresources: []\n');
  assert.equal(
    renamed['apps/web/base/namespace.yaml'],
    'kind: Namespace\nmetadata:\n  name: web-x1\n',
  );
  assert.throws(
    () =>
      withNamespaceSuffix(
        { ...files, 'apps/api/base/kustomization.yaml': 'resources: []\n' },
        'x1',
      ),
    /apps\/api\/base\/kustomization\.yaml no longer sets the namespace/,
  );
});
