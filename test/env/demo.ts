/**
 * `npm run demo`: the main job on the embedded default.
 *
 * Brings up the local environment, shows that it is real (API server version, Ready fake
 * nodes, a Deployment rolling out onto them, a repository pushed to and cloned from the git
 * server), then keeps running with instructions until Ctrl-C. With `--exit`, or whenever `CI` is
 * set, it cleans up and exits as soon as everything has been shown: 0 on success.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startLocalEnv } from './index.ts';
import { waitFor } from './wait.ts';

const exitWhenDone = process.argv.includes('--exit') || Boolean(process.env.CI);
const t0 = Date.now();
const say = (text: string) =>
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${text}`);

say('building the local environment binaries if needed (cached by version)');
if (
  spawnSync('bash', ['test/env/build-binaries.sh'], { stdio: ['ignore', 'ignore', 'inherit'] })
    .status !== 0
) {
  process.exit(1);
}
say('starting etcd, kube-apiserver, controller-manager, scheduler, kwok and a git server');
const env = await startLocalEnv();
let code = 0;
try {
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(env.info.kubeconfig, 'utf8'));
  const version = (await kc.makeApiClient(CoreV1Api).listNode()).items;
  say(
    `API server ${env.controlPlane.server} is ready; nodes: ${version.map((n) => n.metadata?.name).join(', ')}`,
  );

  say('creating Deployment demo/web (3 replicas) and waiting for it to roll out');
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'demo' } } });
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: 'demo',
    body: {
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0' }] },
        },
      },
    },
  });
  await waitFor('Deployment demo/web to be Available', async () => {
    const d = await apps.readNamespacedDeployment({ namespace: 'demo', name: 'web' });
    return d.status?.readyReplicas === 3;
  });
  say('Deployment demo/web is Available with 3/3 Pods Running on fake nodes');

  const url = new URL(`${env.info.gitUrl}/demo/config.git`);
  say(
    `git server at ${env.info.gitUrl} (user ${env.info.gitUsername}); repositories are created on first push`,
  );
  say(`kustomize: ${env.info.kustomize}`);
  console.log(JSON.stringify(env.info));
  if (!exitWhenDone) {
    console.log(
      `\nLook around:\n  kubectl --kubeconfig ${env.info.kubeconfig} get nodes,deploy,pods -A\n  git -c http.extraHeader="Authorization: Basic $(printf %s '${env.info.gitUsername}:<password above>' | base64)" push ${url} main\nPress Ctrl-C to stop and clean up.`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
} catch (error) {
  code = 1;
  console.error(error instanceof Error ? error.message : error);
} finally {
  say('stopping and cleaning up');
  await env.stop();
}
process.exit(code);
