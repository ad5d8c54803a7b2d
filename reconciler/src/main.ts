/**
 * `kustodian-reconciler`: the reconciler's command line. In the cluster it runs from the
 * Deployment in `reconciler/deploy/`; from the repository, `npm run reconciler -- --kubeconfig
 * <path>` runs it against any cluster.
 *
 * SIGTERM and SIGINT stop it gracefully: running reconciles are cancelled, the leader Lease is
 * released so a standby takes over at once, and the process exits 0.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '@kustodian/shared/errors';
import { execaRunner } from '@kustodian/shared/exec';
import { locateKustomize } from '@kustodian/shared/kustomize/locate';
import { networkEnv } from '@kustodian/shared/network-env';
import { loadClusterAccess } from './kube/kubeconfig.ts';
import { defaultRateLimit } from './kube/limiter.ts';
import { candidateIdentity } from './leader/kube-lease.ts';
import { parseLogLevel } from './log.ts';
import { startReconciler } from './reconciler.ts';
import { parseDefaultServiceAccount } from './wiring/engine.ts';

const usage = `usage: kustodian-reconciler [flags]
  --kubeconfig <path>                 kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --namespace <ns>                    watch Applications in this namespace only (default: all)
  --concurrency <n>                   Applications reconciled at once (default 4)
  --qps <n> --burst <n>               API request rate limit (default 500, 1000)
  --metrics-port <port>               /healthz, /readyz and /metrics (default 8080)
  --webhook-port <port>               GitHub push webhook at /hooks/github (secret from $KUSTODIAN_WEBHOOK_SECRET)
  --work-dir <dir>                    checkouts (default: <tmp>/kustodian)
  --kustomize <path>                  kustomize binary (default: kustomize, else kubectl, on PATH)
  --default-service-account <[ns/]name> apply Applications without serviceAccountName as this
                                      service account (a name alone: in the Application's
                                      namespace; default: the reconciler's own identity)
  --leader-elect                      run as one of several replicas, the leader working
  --leader-election-namespace <ns>    where the Lease lives (default kustodian-system)
  --leader-election-identity <name>   this replica's name (default: the host name)
  --log-level <debug|info|warn|error> (default info)
  --allow-http                        allow plain http:// git URLs
  --max-checkout-mib <n>              largest checkout accepted (default 256)`;

function integer(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`--${flag}: expected a positive integer, got "${value}"`);
  return parsed;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      concurrency: { type: 'string' },
      qps: { type: 'string' },
      burst: { type: 'string' },
      'metrics-port': { type: 'string' },
      'webhook-port': { type: 'string' },
      'work-dir': { type: 'string' },
      kustomize: { type: 'string' },
      'default-service-account': { type: 'string' },
      'leader-elect': { type: 'boolean', default: false },
      'leader-election-namespace': { type: 'string' },
      'leader-election-identity': { type: 'string' },
      'log-level': { type: 'string' },
      'allow-http': { type: 'boolean', default: false },
      'max-checkout-mib': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const kubeconfig = await loadClusterAccess({
    ...(values.kubeconfig ? { file: values.kubeconfig } : {}),
    env: process.env,
    home: homedir(),
  });
  const located = await locateKustomize({
    ...(values.kustomize ? { explicitPath: values.kustomize } : {}),
    pathEnv: process.env.PATH ?? '',
    runCommand: execaRunner,
  });
  const webhookSecret = process.env.KUSTODIAN_WEBHOOK_SECRET;
  const reconciler = await startReconciler({
    kubeconfig,
    kustomize: located.command,
    workDir: values['work-dir'] ?? join(tmpdir(), 'kustodian'),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    concurrency: integer(values.concurrency, 4, 'concurrency'),
    qps: integer(values.qps, defaultRateLimit.qps, 'qps'),
    burst: integer(values.burst, defaultRateLimit.burst, 'burst'),
    metricsPort: integer(values['metrics-port'], 8080, 'metrics-port'),
    ...(values['webhook-port']
      ? { webhookPort: integer(values['webhook-port'], 9292, 'webhook-port') }
      : {}),
    ...(webhookSecret ? { webhookSecret } : {}),
    ...(values['default-service-account'] !== undefined
      ? { defaultServiceAccount: parseDefaultServiceAccount(values['default-service-account']) }
      : {}),
    ...(values['leader-elect']
      ? {
          leaderElection: {
            namespace: values['leader-election-namespace'] ?? 'kustodian-system',
            identity: candidateIdentity(
              values['leader-election-identity'] ?? process.env.HOSTNAME ?? 'kustodian',
            ),
          },
        }
      : {}),
    logLevel: parseLogLevel(values['log-level'] ?? 'info'),
    allowHttp: values['allow-http'],
    maxCheckoutBytes: integer(values['max-checkout-mib'], 256, 'max-checkout-mib') * 1024 * 1024,
    networkEnv: networkEnv(process.env),
  });
  console.error(
    `kustodian reconciler: kustomize ${located.version}; metrics on ${reconciler.server.listeners.map((l) => l.url).join(', ')}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await reconciler.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`kustodian reconciler: ${messageOf(error)}`);
    process.exit(1);
  },
);
