/**
 * The demo's pipeline: the whole loop on the local environment, one step after another, each
 * printed as it happens. A release bumps the config repository through the bundled action and
 * the reconciler brings the cluster to it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { messageOf, StepError } from '@kustodian/shared/errors';
import { type LocalEnv, startLocalEnv } from '../env/index.ts';
import { exampleConfigRepo, type GitAccess, pushInitialCommit, readFiles } from './config-repo.ts';
import { waitUntilReady } from './converge.ts';
import { type DashboardProcess, startDashboardProcess } from './dashboard-process.ts';
import { installApplicationApi } from './install.ts';
import { type DemoKube, demoKube } from './kube.ts';
import { bumpAndConverge, type LoopTimings } from './loop.ts';
import { type ReconcilerProcess, startReconcilerProcess } from './reconciler-process.ts';
import { currentTag, nextPatch, releasedApp, releaseOf } from './release.ts';
import type { Reporter } from './report.ts';
import { buildBinaries, commitMessageOf, createApplications, readApplications } from './setup.ts';

/** The namespace of the example Applications (and of the reconciler in a real install). */
export const demoNamespace = 'kustodian-system';
/** The config repository's path on the git server. */
export const configRepoName = 'acme/config';

/** What the demo is given. */
export interface DemoIo {
  readonly say: Reporter;
  readonly signal: AbortSignal;
  /** Registers a cleanup, run in reverse order when the demo ends. */
  defer(what: string, cleanup: () => Promise<void>): void;
}

/** What the demo leaves running for people to look at. */
export interface DemoOutcome {
  readonly env: LocalEnv;
  readonly kube: DemoKube;
  readonly reconciler: ReconcilerProcess;
  readonly dashboard: DashboardProcess;
  readonly timings: LoopTimings;
}

/** Runs the loop; throws a `StepError` naming the step that failed. */
export async function runDemo(io: DemoIo): Promise<DemoOutcome> {
  const { say, signal } = io;

  // 1. The binaries of the local environment, built from the Go module proxy on first use.
  say.step('building the local environment binaries if needed (cached by version)');
  buildBinaries();

  // 2. The local environment: a real control plane with fake nodes and a git server.
  say.step(
    'starting etcd, kube-apiserver, controller-manager, scheduler, kwok and an HTTPS git server',
  );
  const env = await startLocalEnv({ gitTls: true });
  io.defer('the local environment', () => env.stop());
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(env.info.kubeconfig, 'utf8'));
  const kube = demoKube(kc);
  say.detail(`API server ${env.controlPlane.server}, kubeconfig ${env.info.kubeconfig}`);
  say.detail(`git server ${env.info.gitUrl} (a private CA signed its certificate)`);

  // 3. The config repository, pushed as its platform team would create it.
  const repoUrl = `${env.info.gitUrl}/${configRepoName}.git`;
  const access: GitAccess = {
    username: env.info.gitUsername,
    password: env.info.gitPassword,
    ...(env.info.gitCaFile ? { caFile: env.info.gitCaFile } : {}),
  };
  say.step(`pushing examples/config-repo to ${repoUrl}`);
  const seeded = await pushInitialCommit(repoUrl, await readFiles(exampleConfigRepo), access);
  say.detail(`main is at ${seeded}`);

  // 4. The Application API.
  say.step('installing the Application CRD and the kustodian-system namespace (reconciler/deploy)');
  say.detail(
    `CustomResourceDefinition ${await installApplicationApi(kube, { withNamespace: true })} is served`,
  );

  // 5. The reconciler, outside the cluster, watching the Applications' namespace.
  say.step('starting the reconciler');
  const reconciler = await startReconcilerProcess({
    kubeconfig: env.info.kubeconfig,
    namespace: demoNamespace,
    kustomize: env.info.kustomize,
    dir: join(env.dir, 'reconciler'),
  });
  io.defer('the reconciler', () => reconciler.stop());
  say.detail(reconciler.commandLine);
  say.detail(`ready; log ${reconciler.logFile}; push webhook ${reconciler.webhookUrl}`);

  // 5b. The dashboard, signed in through the local environment's OpenID provider.
  say.step('starting the dashboard (kustodian-server) and its OpenID provider');
  const dashboard = await startDashboardProcess(kube, {
    kubeconfig: env.info.kubeconfig,
    issuer: env.info.oidc.issuer,
    viewerNamespace: demoNamespace,
    dir: join(env.dir, 'dashboard'),
    gitCaFile: env.info.gitCaFile,
  });
  io.defer('the dashboard', () => dashboard.stop());
  for (const line of dashboardLines(dashboard.url, env.info.oidc.issuer)) say.detail(line);

  try {
    const timings = await syncAndRelease(io, kube, env, reconciler, { repoUrl, access, seeded });
    return { env, kube, reconciler, dashboard, timings };
  } catch (error) {
    if (signal.aborted) throw error;
    const tail = await reconciler.process.logTail(15);
    throw new StepError(
      'run',
      'the loop',
      `${messageOf(error)}\nthe reconciler's last log lines:\n${tail}`,
      {
        cause: error,
      },
    );
  }
}

/** Where the dashboard is and who may sign in (pure). */
export function dashboardLines(url: string, issuer: string): string[] {
  return [
    `dashboard ${url} (provider ${issuer})`,
    'sign in as alice (group platform-admins: sees and syncs everything) or bob',
    '(group viewers-team-b: sees kustodian-system only, no actions); any password',
  ];
}

/** Steps 6 to 10: the Applications, their first sync, a release and the convergence on it. */
async function syncAndRelease(
  io: DemoIo,
  kube: DemoKube,
  env: LocalEnv,
  reconciler: ReconcilerProcess,
  repo: { repoUrl: string; access: GitAccess; seeded: string },
): Promise<LoopTimings> {
  const { say, signal } = io;
  const { repoUrl, access, seeded } = repo;
  // 6. The staging cluster's Applications and their git credentials.
  const names = await createApplications(say, kube, {
    kustomize: env.info.kustomize,
    repoUrl,
    access,
    namespace: demoNamespace,
  });

  // 7. The first sync: every app applied and rolled out.
  say.step(`waiting until ${names.join(' and ')} are Ready and healthy`);
  const ready = await waitUntilReady(() => readApplications(kube, demoNamespace, names), {
    onProgress: (text) => say.progress(text),
    signal,
    timeoutMs: 180_000,
  });
  say.endProgress();
  for (const [name, app] of ready) {
    const status = app?.status as {
      lastAppliedRevision?: string;
      inventory?: { entries?: unknown[] };
    };
    say.detail(
      `${name}: Ready at ${status.lastAppliedRevision}, ${status.inventory?.entries?.length ?? 0} objects applied`,
    );
  }

  // 8–10. A release bumps the tag; the reconciler converges on the new commit.
  const tag = nextPatch(await currentTag());
  const release = releaseOf(tag, {
    repository: repoUrl,
    token: env.info.gitPassword,
    commit: 'push',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    kustomize: env.info.kustomize,
    ...(env.info.gitCaFile ? { env: { GIT_SSL_CAINFO: env.info.gitCaFile } } : {}),
  });
  return bumpAndConverge(io, kube, reconciler, release, {
    appNamespace: demoNamespace,
    appName: releasedApp.deployment.name,
    deploymentNamespace: 'web',
    cloneUrl: repoUrl,
    fullName: configRepoName,
    before: seeded,
    commitMessage: (sha) => commitMessageOf(join(env.git.root, `${configRepoName}.git`), sha),
  });
}
