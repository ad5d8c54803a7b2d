/**
 * The demo's last screen: the Applications and the released app's pods as kubectl would list
 * them, and, when it keeps running, what to try with the printed kubeconfig.
 */
import { applicationType } from './applications.ts';
import { conditionOf } from './converge.ts';
import type { DemoKube, KubeObject } from './kube.ts';
import { table } from './report.ts';

/** `kubectl get kapp -n <namespace>` (pure). */
export function applicationRows(apps: readonly KubeObject[]): string[] {
  return table(
    ['NAME', 'READY', 'REVISION', 'HEALTH', 'SOURCE COMMIT'],
    apps.map((app) => {
      const status = (app.status ?? {}) as {
        lastAppliedRevision?: string;
        health?: { status?: string };
        lastAppliedSource?: { repository?: string; commit?: string };
      };
      const source = status.lastAppliedSource;
      return [
        app.metadata?.name ?? '',
        conditionOf(app, 'Ready')?.status ?? '',
        status.lastAppliedRevision ?? '',
        status.health?.status ?? '',
        source?.commit ? `${source.repository ?? ''}@${source.commit.slice(0, 12)}` : '',
      ];
    }),
  );
}

/** `kubectl get pods -o wide`, reduced to what the loop is about (pure). */
export function podRows(pods: readonly KubeObject[]): string[] {
  return table(
    ['POD', 'IMAGE', 'NODE', 'PHASE'],
    pods
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .map((pod) => {
        const spec = pod.spec as { nodeName?: string; containers?: { image?: string }[] };
        const status = pod.status as { phase?: string } | undefined;
        return [
          pod.metadata?.name ?? '',
          spec.containers?.map((c) => c.image).join(',') ?? '',
          spec.nodeName ?? '',
          status?.phase ?? '',
        ];
      }),
  );
}

/** The Applications of `appNamespace` and the pods of `podNamespace`, as table lines. */
export async function clusterLines(
  kube: DemoKube,
  appNamespace: string,
  podNamespace: string,
): Promise<string[]> {
  const apps = await kube.list(applicationType.apiVersion, applicationType.kind, appNamespace);
  const pods = await kube.list('v1', 'Pod', podNamespace);
  return [
    `$ kubectl get kapp -n ${appNamespace}`,
    ...applicationRows(apps),
    '',
    `$ kubectl get pods -n ${podNamespace} -o wide`,
    ...podRows(pods),
  ];
}

/** What to try while the demo keeps running (pure). */
export function instructions(kubeconfig: string, reconcilerLog: string): string[] {
  return [
    'The loop converged. Look around in another terminal:',
    `  export KUBECONFIG=${kubeconfig}`,
    '  npx kustodian get -A                              # Ready, health, revision, source commit',
    '  npx kustodian tree web -n kustodian-system        # its objects, nested by owner, with health',
    '  npx kustodian history web -n kustodian-system     # the syncs, with revisions and results',
    '  npx kustodian events web -n kustodian-system      # RevisionApplied, DriftReverted, ...',
    '  npx kustodian sync web -n kustodian-system --wait # a reconcile now, until Ready',
    '  kubectl -n web scale deploy/web --replicas=5      # drift: the reconciler sets it back',
    '  kubectl -n kustodian-system get kapp web -o yaml  # the raw status',
    `  tail -f ${reconcilerLog}`,
    'Press Ctrl-C to stop everything and clean up.',
  ];
}
