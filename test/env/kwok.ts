/**
 * kwok, the fake nodes' kubelet: it keeps the fake Nodes Ready, moves their Pods through kwok's
 * default stages, and serves the kubelet API the API server calls for `pods/log`.
 *
 * The Nodes advertise kwok's server as their kubelet (InternalIP 127.0.0.1, daemonEndpoints
 * port = kwok's port), which serves HTTPS with a certificate of the serving CA. What a container
 * logs comes from kwok's ClusterLogs resources (see `pod-logs.ts`): a ClusterLogs maps the pods
 * of some namespaces to a file in the CRI log format, which kwok reads like a kubelet reads a
 * container's log, following it when the request asks to.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { binaryPath, kwokClusterLogsCrdFile, kwokStagesDir } from './binaries.ts';
import type { Authority } from './pki.ts';
import { type ManagedProcess, startProcess } from './process.ts';
import { waitFor } from './wait.ts';

/** How to start kwok. */
export interface KwokOptions {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
  /** Port of kwok's server: health, and the kubelet API of every fake node. */
  readonly port: number;
  /** Issues kwok's serving certificate, the CA the API server trusts for kubelets. */
  readonly servingCa: Authority;
}

/** Installs kwok's ClusterLogs CRD, then starts kwok watching ClusterLogs objects. */
export async function startKwok(options: KwokOptions): Promise<ManagedProcess> {
  const { dir, port } = options;
  await installClusterLogsCrd(options.kubeconfig);
  const serving = await options.servingCa.issueServer('kwok', {
    dns: ['localhost'],
    ips: ['127.0.0.1'],
  });
  const stagesFile = join(dir, 'kwok-stages.yaml');
  await writeFile(stagesFile, await kwokStages());
  return startProcess({
    name: 'kwok',
    file: binaryPath('kwok'),
    logDir: dir,
    args: [
      `--kubeconfig=${options.kubeconfigPath}`,
      `--config=${stagesFile}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--server-address=127.0.0.1:${port}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      // What the fake Nodes advertise as their kubelet: the API server reaches it on loopback.
      '--node-ip=127.0.0.1',
      `--node-port=${port}`,
      '--enable-crds=ClusterLogs',
      '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16',
    ],
  });
}

/** Creates kwok's ClusterLogs CRD and waits until it is Established. */
async function installClusterLogsCrd(kubeconfig: string): Promise<void> {
  const file = kwokClusterLogsCrdFile();
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new Error(`kwok's ClusterLogs CRD is missing at ${file}: run npm run env:build`, {
      cause,
    });
  });
  const crd = parse(text) as V1CustomResourceDefinition;
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await api.createCustomResourceDefinition({ body: crd });
  const name = crd.metadata?.name ?? 'clusterlogs.kwok.x-k8s.io';
  await waitFor(
    `CustomResourceDefinition ${name} Established`,
    async () => {
      const live = await api.readCustomResourceDefinition({ name });
      return (
        live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ??
        false
      );
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** kwok's default stages (node initialise and heartbeat, pod ready, complete and delete). */
async function kwokStages(): Promise<string> {
  const names = ['node-initialize', 'node-heartbeat', 'pod-ready', 'pod-complete', 'pod-delete'];
  const parts: string[] = [];
  for (const name of names) {
    const text = await readFile(join(kwokStagesDir(), `${name}.yaml`), 'utf8');
    if (!parseAllDocuments(text).every((doc) => doc.get('kind') === 'Stage')) {
      throw new Error(`kwok stage file ${name}.yaml holds something other than a Stage`);
    }
    parts.push(text.trim());
  }
  return `${parts.join('\n---\n')}\n`;
}
