/**
 * From a push to the change applied in the cluster, for an Application of 50 objects: the
 * reconciler told by a signed GitHub push webhook, against what a push-based pipeline does
 * instead (a CI job that fetches the commit, renders it with kustomize and runs `kubectl apply
 * --server-side`), side by side over the same 20 pushes. Each push changes one value of a
 * ConfigMap; a push counts as applied when the API server serves the new value.
 *
 * The reconciler runs as a process of its own with its defaults and the webhook receiver on;
 * its Application's interval is 30 minutes, so only the webhook can bring a push in time.
 *
 * `node bench/webhook.bench.ts [--pushes N] [--env <env.json>] [-- <reconciler flags>]`
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { signBody } from '../reconciler/src/server/github.ts';
import type { LocalEnvInfo } from '../test/env/index.ts';
import { freePort } from '../test/env/ports.ts';
import {
  adminClient,
  applyApplication,
  appNamespace,
  installCrd,
  readApplication,
  readyAt,
} from './support/cluster.ts';
import {
  type BenchGit,
  gitIn,
  objectCount,
  pushFiles,
  pushRepo,
  type SetShape,
  setFiles,
} from './support/config-repo.ts';
import { argument, reconcilerFlags, withEnvironment } from './support/environment.ts';
import { imageRuntime, startReconcilerProcess } from './support/reconciler-process.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median } from './support/stats.ts';

const run = promisify(execFile);

/** What to run. */
export interface WebhookBenchOptions {
  readonly pushes: number;
  readonly flags: readonly string[];
}

/** 20 pushes. */
export const defaultWebhookBench: WebhookBenchOptions = { pushes: 20, flags: [] };

const appsNamespace = 'bench-webhook';
const secret = 'bench-webhook-secret';
const targetMs = 1000;
/** 49 objects per set (a Namespace and 12 of each kind), and the ConfigMap each push changes. */
const perKind = 12;

/** Runs the benchmark against the environment described by `env`. */
export async function benchWebhook(
  env: LocalEnvInfo,
  options: WebhookBenchOptions = defaultWebhookBench,
): Promise<BenchResult> {
  const before = machineLoad();
  const kube = await adminClient(env.kubeconfig);
  await installCrd(kube);
  const git: BenchGit = { url: env.gitUrl, username: env.gitUsername, password: env.gitPassword };
  await appNamespace(kube, appsNamespace, git);
  const tag = Date.now().toString(36);
  const ours: SetShape = { prefix: `wh${tag}`, namespaces: 1, perKind };
  const theirs: SetShape = { prefix: `wk${tag}`, namespaces: 1, perKind };
  const released = (shape: SetShape, round: number) => ({
    [`sets/${shape.prefix}/${shape.prefix}-00/kustomization.yaml`]:
      'resources:\n  - objects.yaml\n  - release.yaml\n',
    [`sets/${shape.prefix}/${shape.prefix}-00/release.yaml`]: releaseMap(shape, round),
  });
  const repo = await pushRepo(git, `bench/webhook-${tag}`, {
    ...setFiles(`sets/${ours.prefix}`, ours),
    ...setFiles(`sets/${theirs.prefix}`, theirs),
    ...released(ours, 0),
    ...released(theirs, 0),
  });
  const port = await freePort();
  const reconciler = await startReconcilerProcess({
    kubeconfig: env.kubeconfig,
    kustomize: env.kustomize,
    namespace: appsNamespace,
    flags: [`--webhook-port=${port}`, ...options.flags],
    runtime: {
      ...imageRuntime(),
      env: { ...imageRuntime().env, KUSTODIAN_WEBHOOK_SECRET: secret },
    },
  });
  const scratch = await mkdtemp(join(tmpdir(), 'kustodian-bench-webhook-'));
  const app = {
    namespace: appsNamespace,
    name: ours.prefix,
    url: repo.url,
    path: `sets/${ours.prefix}`,
  };
  const webhookMs: number[] = [];
  const pipelineMs: number[] = [];
  try {
    await applyApplication(kube, app);
    await waitUntil(`${app.name} Ready`, async () => {
      const live = await readApplication(kube, app);
      return live !== undefined && readyAt(live, repo.commit);
    });
    const ciJob = kubectlPipeline(env, git, repo.url, `sets/${theirs.prefix}`, scratch);
    await ciJob();
    for (let round = 1; round <= options.pushes; round++) {
      const commit = await pushFiles(git, repo, released(ours, round), `release ${round} (ours)`);
      const pushed = performance.now();
      await sendPush(port, repo.url, commit);
      await waitUntil(
        'the new value',
        async () => (await releasedRound(kube, ours)) === String(round),
      );
      webhookMs.push(performance.now() - pushed);

      await pushFiles(git, repo, released(theirs, round), `release ${round} (pipeline)`);
      const started = performance.now();
      await ciJob();
      if ((await releasedRound(kube, theirs)) !== String(round))
        throw new Error(`the pipeline did not apply release ${round}`);
      pipelineMs.push(performance.now() - started);
    }
  } finally {
    await reconciler.stop();
    await rm(scratch, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
  const ourP50 = Math.round(median(webhookMs));
  const theirP50 = Math.round(median(pipelineMs));
  return {
    name: 'webhook',
    rows: [
      {
        measure: `push -> applied, Application of ${objectCount(ours) + 1} objects, p50 of ${options.pushes} pushes (webhook)`,
        unit: 'ms',
        ours: ourP50,
        alternative: {
          name: 'CI job: git fetch, kustomize build, kubectl apply --server-side',
          value: theirP50,
        },
        target: `<= ${targetMs} ms`,
        met: ourP50 <= targetMs,
        note: `worst ${Math.round(Math.max(...webhookMs))} ms vs ${Math.round(Math.max(...pipelineMs))} ms`,
      },
    ],
    load: { before, after: machineLoad() },
    details: { webhookMs: webhookMs.map(Math.round), pipelineMs: pipelineMs.map(Math.round) },
  };
}

/** The ConfigMap each push changes. */
function releaseMap(shape: SetShape, round: number): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release\n  namespace: ${shape.prefix}-00\ndata:\n  round: "${round}"\n`;
}

async function releasedRound(
  kube: Awaited<ReturnType<typeof adminClient>>,
  shape: SetShape,
): Promise<string | undefined> {
  const live = await kube.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: `${shape.prefix}-00`,
    name: 'release',
  });
  return (live?.data as Record<string, string> | undefined)?.round;
}

/** What GitHub sends on a push: the event, signed with the webhook's secret. */
async function sendPush(port: number, url: string, commit: string): Promise<void> {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    after: commit,
    repository: { clone_url: url },
  });
  const response = await fetch(`http://127.0.0.1:${port}/hooks/github`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': commit,
      'X-Hub-Signature-256': signBody(secret, body),
    },
    body,
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}

/** A CI job after a push: fetch the commit, render `path`, apply it server-side. */
function kubectlPipeline(
  env: LocalEnvInfo,
  git: BenchGit,
  url: string,
  path: string,
  scratch: string,
): () => Promise<void> {
  const checkout = join(scratch, 'checkout');
  let cloned = false;
  return async () => {
    if (!cloned) {
      await gitIn(scratch, git, ['clone', '--quiet', '--depth=1', url, checkout]);
      cloned = true;
    } else {
      await gitIn(checkout, git, ['fetch', '--quiet', '--depth=1', 'origin', 'main']);
      await gitIn(checkout, git, ['checkout', '--quiet', 'FETCH_HEAD']);
    }
    const built = await run(env.kustomize, ['build', join(checkout, path)], {
      maxBuffer: 64 << 20,
    });
    const kubectl = run(
      'kubectl',
      ['apply', '--server-side', '--field-manager=bench-ci', '-f', '-', '-o', 'name'],
      { env: { ...process.env, KUBECONFIG: env.kubeconfig }, maxBuffer: 64 << 20 },
    );
    kubectl.child.stdin?.end(built.stdout);
    await kubectl;
  };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

if (import.meta.main) {
  const pushes = Number(argument('pushes')) || undefined;
  await withEnvironment(async (env) => [
    await benchWebhook(env, {
      ...defaultWebhookBench,
      ...(pushes ? { pushes } : {}),
      flags: reconcilerFlags(),
    }),
  ]);
}
