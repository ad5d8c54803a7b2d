/**
 * One run of the loop for the end-to-end test: the example repository (namespaces made unique)
 * on a forge, the reconciler as its own process with the staging web Application, a release
 * through the bundled action, the signed push webhook, and the cluster followed until it
 * converged. Returns what the test asserts on; writes the latency to the test output.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import {
  applicationType,
  credentialsTemplate,
  exampleApplications,
  fillCredentials,
  relocate,
} from '../demo/applications.ts';
import { exampleConfigRepo, readFiles } from '../demo/config-repo.ts';
import { followChange, type Milestone, revisionOf, waitUntilReady } from '../demo/converge.ts';
import { installApplicationApi } from '../demo/install.ts';
import { type DemoKube, demoKube, type KubeObject } from '../demo/kube.ts';
import { startReconcilerProcess } from '../demo/reconciler-process.ts';
import { currentTag, nextPatch, type Release, releasedApp, releaseOf } from '../demo/release.ts';
import { formatDuration } from '../demo/report.ts';
import { runActionStep } from '../demo/runner.ts';
import { deliverPush } from '../demo/webhook.ts';
import type { TestEnv } from '../env/for-tests.ts';
import { type Forge, withNamespaceSuffix } from './forges.ts';

/** What one run of the loop produced, for the assertions. */
export interface LoopRun {
  readonly release: Release;
  readonly seeded: string;
  readonly commit: string;
  readonly app: KubeObject;
  readonly deployment: KubeObject;
  readonly pods: KubeObject[];
  readonly reconcilerLog: string;
  readonly appKey: string;
}

/** What a caller may do while the loop runs. */
export interface LoopHooks {
  /** Called once the Application (`namespace/name`) is Ready, before the release. */
  beforeRelease?: (appKey: string) => Promise<void>;
}

/** Seeds the forge, syncs the staging web Application, releases, and follows the convergence. */
export async function runLoop(
  t: TestContext,
  env: () => TestEnv,
  forge: Forge,
  hooks: LoopHooks = {},
): Promise<LoopRun> {
  const kube = demoKube(env().kc);
  const suffix = randomBytes(3).toString('hex');
  const webNamespace = `web-${suffix}`;
  const seeded = await forge.seed(withNamespaceSuffix(await readFiles(exampleConfigRepo), suffix));
  await installApplicationApi(kube, { withNamespace: false });
  const namespace = await env().createNamespace('loop');
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-loop-'));
  const reconciler = await startReconcilerProcess({
    kubeconfig: env().kubeconfig,
    namespace,
    kustomize: env().kustomize,
    dir,
    allowHttp: forge.commitMode === 'api',
    logLevel: 'debug',
  });
  try {
    const app = await createWebApplication(env, kube, forge, namespace, webNamespace);
    const appName = app.metadata?.name ?? '';
    const readApp = () =>
      kube.get(applicationType.apiVersion, applicationType.kind, namespace, appName);
    await waitUntilReady(async () => new Map([[appName, await readApp()]]), {
      onProgress: () => {},
      timeoutMs: 120_000,
    });
    await hooks.beforeRelease?.(`${namespace}/${appName}`);

    const release = releaseOf(nextPatch(await currentTag()), {
      ...forge.target,
      kustomize: env().kustomize,
    });
    const step = await runActionStep(release.step);
    assert.equal(step.code, 0, step.log.join('\n'));
    const commit = step.outputs['commit-sha'] ?? '';
    await deliverPush(reconciler.webhookUrl, reconciler.webhookSecret, {
      cloneUrl: forge.cloneUrl,
      fullName: forge.fullName,
      branch: 'main',
      before: seeded,
      after: commit,
    });
    const image = `${releasedApp.image}:${release.tag}`;
    const reached = await followChange(
      async () => ({
        app: await readApp(),
        deployment: await kube.get(
          'apps/v1',
          'Deployment',
          webNamespace,
          releasedApp.deployment.name,
        ),
      }),
      { revision: revisionOf('main', commit), container: releasedApp.deployment.container, image },
      { onProgress: () => {}, timeoutMs: 120_000 },
    );
    recordLatency(t, forge, step.finishedAt, reached);
    const pods = await podsSettledOn(kube, webNamespace, image);
    return {
      release,
      seeded,
      commit,
      app: (await readApp()) as KubeObject,
      deployment: (await kube.get('apps/v1', 'Deployment', webNamespace, 'web')) as KubeObject,
      pods,
      reconcilerLog: await readFile(reconciler.logFile, 'utf8'),
      appKey: `${namespace}/${appName}`,
    };
  } finally {
    await reconciler.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The example's staging web Application, reading `forge`, with its credentials Secret. */
async function createWebApplication(
  env: () => TestEnv,
  kube: DemoKube,
  forge: Forge,
  namespace: string,
  webNamespace: string,
): Promise<KubeObject> {
  await kube.apply(fillCredentials(await credentialsTemplate(), forge.credentials, namespace));
  const example = (await exampleApplications(env().kustomize, 'staging')).find(
    (app) => app.metadata?.name === 'web',
  );
  assert.ok(example, 'examples/applications/staging has the web Application');
  // A long interval: only the push webhook can make the reconciler look again in time.
  const app = relocate(example, {
    url: forge.cloneUrl,
    namespace,
    spec: { interval: '10m', destination: { namespace: webNamespace } },
  });
  return kube.apply(app);
}

/** Waits until the only pods left run `image`, Running and Ready; returns them. */
async function podsSettledOn(
  kube: DemoKube,
  namespace: string,
  image: string,
): Promise<KubeObject[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pods = await kube.list('v1', 'Pod', namespace, 'app.kubernetes.io/name=web');
    const settled = pods.every((pod) => {
      const spec = pod.spec as { containers: { image: string }[] };
      const status = pod.status as {
        phase?: string;
        conditions?: { type: string; status: string }[];
      };
      return (
        !pod.metadata?.deletionTimestamp &&
        spec.containers.every((c) => c.image === image) &&
        status.phase === 'Running' &&
        status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
      );
    });
    if (settled && pods.length > 0) return pods;
    if (Date.now() > deadline) {
      assert.fail(
        `pods of ${namespace} did not settle on ${image}: ${JSON.stringify(pods.map((p) => p.status))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Writes the latency of each step to the test output. */
function recordLatency(
  t: TestContext,
  forge: Forge,
  committedAt: number,
  reached: Record<Milestone, number>,
): void {
  const since = (at: number) => formatDuration(at - committedAt);
  t.diagnostic(
    `latency (commit: ${forge.commitMode}): bump commit → fetched ${since(reached.seen)}, → applied ${since(reached.applied)}, → rolled out ${since(reached.rolledOut)}, → healthy and Ready ${since(reached.ready)}`,
  );
}
