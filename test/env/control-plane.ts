/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, and (for rollouts)
 * kube-controller-manager, kube-scheduler and kwok with fake nodes, so that a Deployment creates
 * ReplicaSets and Pods that are scheduled and become Ready, and whose logs the fake nodes serve
 * from files (see `kwok.ts`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaryPath, requireBinary } from './binaries.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { startKwok } from './kwok.ts';
import { createFakeNodes } from './nodes.ts';
import { type Authority, createAuthority, createSigningKey } from './pki.ts';
import { freePort } from './ports.ts';
import { answersOk } from './probe.ts';
import { type ManagedProcess, startProcess, waitUntilHealthy } from './process.ts';

/** Options of the control plane. */
export interface ControlPlaneOptions {
  /** Working directory for data, certificates and logs; removed by the caller. */
  readonly dir: string;
  /** Run kube-controller-manager, kube-scheduler and kwok too (default true). */
  readonly controllers?: boolean;
  /** How many fake nodes kwok manages (default 2). */
  readonly nodes?: number;
}

/** A running control plane. */
export interface ControlPlane {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  /**
   * A kubeconfig for a second administrator, `kustodian-reconciler`, so that what the reconciler
   * writes can be told apart from what tests write (the audit log names the user).
   */
  readonly reconcilerKubeconfigPath: string;
  /** The API server's audit log: one JSON line per write request, with its user. */
  readonly auditLog: string;
  /** The CA that signed the API server's serving certificate (also the git server's). */
  readonly servingCaFile: string;
  readonly processes: readonly ManagedProcess[];
  stop(): Promise<void>;
}

const startTimeoutMs = 90_000;

/** The user name of the reconciler's client certificate. */
export const reconcilerUserName = 'kustodian-reconciler';

/**
 * Audit only what changes the cluster, at Metadata level (who, what, when; never bodies, which
 * may hold Secrets). Leases are left out: kwok renews every node's Lease all the time.
 */
const auditPolicyYaml = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    resources:
      - group: coordination.k8s.io
        resources: [leases]
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

/** Starts the control plane; on any failure, stops what was started and rethrows. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { dir } = options;
  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const proc of [...started].reverse()) await proc.stop();
  };
  try {
    for (const name of ['etcd', 'kube-apiserver'] as const) await requireBinary(name);
    const servingCa = await createAuthority(dir, 'serving-ca');
    const clientCa = await createAuthority(dir, 'client-ca');
    const serving = await servingCa.issueServer('apiserver', {
      dns: ['localhost'],
      ips: ['127.0.0.1'],
    });
    const admin = await clientCa.issueClient('admin', 'kustodian-admin', ['system:masters']);
    const reconcilerUser = await clientCa.issueClient('reconciler', reconcilerUserName, [
      'system:masters',
    ]);
    const auditLog = join(dir, 'audit.log');
    const auditPolicy = join(dir, 'audit-policy.yaml');
    await writeFile(auditPolicy, auditPolicyYaml);
    const sa = await createSigningKey(dir);

    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = await startProcess({
      name: 'etcd',
      file: binaryPath('etcd'),
      logDir: dir,
      args: [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        '--unsafe-no-fsync=true',
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ],
    });
    started.push(etcd);
    await waitUntilHealthy(etcd, () => answersOk(`${etcdUrl}/health`), startTimeoutMs);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = await startProcess({
      name: 'kube-apiserver',
      file: binaryPath('kube-apiserver'),
      logDir: dir,
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        // Offline machines have no default route: advertise loopback and skip the endpoint
        // reconciler, which would reject a loopback address.
        '--advertise-address=127.0.0.1',
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${serving.cert}`,
        `--tls-private-key-file=${serving.key}`,
        `--client-ca-file=${clientCa.cert}`,
        '--authorization-mode=Node,RBAC',
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${sa.publicKey}`,
        `--service-account-signing-key-file=${sa.privateKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--allow-privileged=true',
        // Pods may be created before a namespace's default ServiceAccount exists.
        '--disable-admission-plugins=ServiceAccount',
        '--max-requests-inflight=1000',
        '--max-mutating-requests-inflight=500',
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${auditLog}`,
        '--audit-log-format=json',
        '--audit-log-maxsize=0',
        // Kubelets (kwok's server, see kwok.ts) are reached at the Node's InternalIP, over
        // HTTPS verified against the serving CA. kwok does not authenticate its callers, so
        // the API server brings no kubelet client certificate.
        '--kubelet-preferred-address-types=InternalIP',
        `--kubelet-certificate-authority=${servingCa.cert}`,
      ],
    });
    started.push(apiserver);
    const caPem = await readFile(servingCa.cert, 'utf8');
    await waitUntilHealthy(apiserver, () => answersOk(`${server}/readyz`, caPem), startTimeoutMs);

    const kubeconfig = await renderKubeconfig({
      server,
      caFile: servingCa.cert,
      certFile: admin.cert,
      keyFile: admin.key,
    });
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const reconcilerKubeconfigPath = join(dir, 'reconciler.kubeconfig');
    const reconcilerKubeconfig = await renderKubeconfig({
      server,
      caFile: servingCa.cert,
      certFile: reconcilerUser.cert,
      keyFile: reconcilerUser.key,
    });
    await writeFile(reconcilerKubeconfigPath, reconcilerKubeconfig, { mode: 0o600 });

    if (options.controllers ?? true) {
      started.push(
        ...(await startControllers({
          dir,
          kubeconfig,
          kubeconfigPath,
          servingCa,
          saKey: sa.privateKey,
        })),
      );
      await createFakeNodes(kubeconfig, options.nodes ?? 2);
    }
    return {
      server,
      kubeconfigPath,
      kubeconfig,
      reconcilerKubeconfigPath,
      auditLog,
      servingCaFile: servingCa.cert,
      processes: started,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startControllers(input: {
  dir: string;
  kubeconfig: string;
  kubeconfigPath: string;
  servingCa: Authority;
  saKey: string;
}): Promise<ManagedProcess[]> {
  const { dir, kubeconfigPath } = input;
  for (const name of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const)
    await requireBinary(name);
  const [kcmPort, schedulerPort, kwokPort] = [await freePort(), await freePort(), await freePort()];
  const common = [
    `--kubeconfig=${kubeconfigPath}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    '--kube-api-qps=500',
    '--kube-api-burst=1000',
  ];
  const kcm = await startProcess({
    name: 'kube-controller-manager',
    file: binaryPath('kube-controller-manager'),
    logDir: dir,
    args: [
      ...common,
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'kcm')}`,
      `--root-ca-file=${input.servingCa.cert}`,
      `--service-account-private-key-file=${input.saKey}`,
      '--use-service-account-credentials=false',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
      '--node-monitor-grace-period=60s',
    ],
  });
  const scheduler = await startProcess({
    name: 'kube-scheduler',
    file: binaryPath('kube-scheduler'),
    logDir: dir,
    args: [...common, `--secure-port=${schedulerPort}`, `--cert-dir=${join(dir, 'scheduler')}`],
  });
  const processes = [kcm, scheduler];
  const kwok = await startKwok({
    dir,
    kubeconfig: input.kubeconfig,
    kubeconfigPath,
    port: kwokPort,
    servingCa: input.servingCa,
  }).catch(async (error: unknown) => {
    for (const proc of processes.reverse()) await proc.stop();
    throw error;
  });
  processes.push(kwok);
  await Promise.all([
    waitUntilHealthy(
      kcm,
      () => answersOk(`https://127.0.0.1:${kcmPort}/healthz`, undefined, true),
      startTimeoutMs,
    ),
    waitUntilHealthy(
      scheduler,
      () => answersOk(`https://127.0.0.1:${schedulerPort}/healthz`, undefined, true),
      startTimeoutMs,
    ),
    waitUntilHealthy(kwok, () => answersOk(`http://127.0.0.1:${kwokPort}/healthz`), startTimeoutMs),
  ]).catch(async (error: unknown) => {
    for (const proc of processes.reverse()) await proc.stop();
    throw error;
  });
  return processes;
}
