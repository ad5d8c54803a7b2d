/**
 * The whole loop, end to end, as users run it: a release of the web app runs the bundled action
 * exactly as a runner would; the bump commit lands in the config repository; GitHub's push
 * webhook reaches the reconciler (a process of its own, started as `npm run reconciler`); the
 * reconciler applies exactly that revision; the Deployment rolls out to the new image on kwok's
 * nodes; the Application's status names the revision and the app commit from the trailers. Once
 * with `commit: push` to a git server, once with `commit: api` through the GitHub API emulator.
 * The latency of each step is written to the test output; nothing asserts on it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { revisionOf, rolledOut, templateImage } from '../demo/converge.ts';
import { currentTag, releasedApp } from '../demo/release.ts';
import { localEnv } from '../env/for-tests.ts';
import { githubEmulator, testTokens, uniqueRepository } from '../github-emulator/for-tests.ts';
import { apiForge, type Forge, pushForge } from './forges.ts';
import { type LoopRun, runLoop } from './loop-support.ts';

const env = localEnv();
const emulator = githubEmulator();

interface AppStatus {
  lastAppliedRevision?: string;
  lastAppliedSource?: {
    repository?: string;
    commit?: string;
    time?: string;
    workflowRun?: string;
  };
  history?: {
    revision: string;
    revisionTime?: string;
    result: string;
    sourceCommit?: string;
    sourceTime?: string;
  }[];
  conditions?: { type: string; status: string }[];
}

/** The assertions both runs share. */
async function assertLoop(forge: Forge, run: LoopRun): Promise<void> {
  const overlayFile = `${releasedApp.overlay}/kustomization.yaml`;
  // The bump commit landed on main, on top of the seed, changing only the tag.
  assert.equal(await forge.head(), run.commit);
  const landed = await forge.commit(run.commit);
  assert.deepEqual(landed.parents, [run.seeded]);
  const before = (await forge.readFile(run.seeded, overlayFile)) ?? '';
  const after = await forge.readFile(run.commit, overlayFile);
  const oldTag = await currentTag();
  assert.equal(after, before.replace(`newTag: ${oldTag}`, `newTag: ${run.release.tag}`));
  assert.notEqual(after, before);
  const { context } = run.release.step;
  assert.match(landed.message, new RegExp(`^Kustodian-Source-Commit: ${run.release.sha}$`, 'm'));

  // The reconciler applied exactly that revision, after the seed and nothing else.
  const status = run.app.status as AppStatus;
  const revision = revisionOf('main', run.commit);
  assert.equal(status.lastAppliedRevision, revision);
  assert.deepEqual(
    [status.history?.[0]?.revision, status.history?.[0]?.result],
    [revision, 'Succeeded'],
  );
  const seededRevision = revisionOf('main', run.seeded);
  for (const sync of status.history ?? []) {
    assert.ok(
      [revision, seededRevision].includes(sync.revision),
      `unexpected sync ${sync.revision}`,
    );
  }
  assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

  // Its status traces the revision back to the app commit through the action's trailers, with
  // the commit's time from the release event, and records the bump's committer time.
  assert.deepEqual(status.lastAppliedSource, {
    repository: context.repository,
    commit: context.sha,
    time: run.release.committedAt,
    workflowRun: `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`,
  });
  assert.equal(status.history?.[0]?.sourceCommit, context.sha);
  assert.equal(status.history?.[0]?.sourceTime, run.release.committedAt);
  assert.match(status.history?.[0]?.revisionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  // The Deployment rolled out: every pod runs the new image on a kwok node.
  const image = `${releasedApp.image}:${run.release.tag}`;
  assert.equal(templateImage(run.deployment, 'web'), image);
  assert.ok(rolledOut(run.deployment), JSON.stringify(run.deployment.status));
  for (const pod of run.pods) {
    assert.match((pod.spec as { nodeName?: string }).nodeName ?? '', /^kwok-node-\d+$/);
  }

  // The push webhook, not the interval, made the reconciler look.
  const refreshes = run.reconcilerLog
    .split('\n')
    .filter((line) => line.includes('"msg":"refresh"') && line.includes(run.appKey));
  assert.ok(
    refreshes.some((line) => line.includes('push to refs/heads/main')),
    `no refresh by the push webhook in the reconciler's log:\n${refreshes.join('\n')}`,
  );
}

describe('the loop: a release bumps the config repository and the cluster converges on it', () => {
  test('with commit: push to a git server over HTTPS, the push webhook triggering the sync', async (t) => {
    const forge = await pushForge();
    try {
      const run = await runLoop(t, env, forge);
      await assertLoop(forge, run);
    } finally {
      await forge.stop();
    }
  });

  test('with commit: api through the GitHub API emulator, as a signed commit', async (t) => {
    const forge = await apiForge(emulator(), testTokens.writer, uniqueRepository('config'));
    try {
      const run = await runLoop(t, env, forge);
      await assertLoop(forge, run);
      assert.equal((await forge.commit(run.commit)).verified, true);
    } finally {
      await forge.stop();
    }
  });
});
