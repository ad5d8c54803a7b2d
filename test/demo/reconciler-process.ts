/**
 * The reconciler as a process of its own, started from the repository the way `npm run
 * reconciler -- --kubeconfig <path> ...` starts it, with its JSON log in a file, its probes and
 * metrics on one free port and the push webhook on another. Ready once `/readyz` answers 200
 * (its caches synced); stopped with SIGTERM, which it handles gracefully.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../env/ports.ts';
import { type ManagedProcess, startProcess, waitUntilHealthy } from '../env/process.ts';
import { projectRoot } from './config-repo.ts';

/** How to start it. */
export interface ReconcilerProcessOptions {
  readonly kubeconfig: string;
  /** The namespace whose Applications it watches. */
  readonly namespace: string;
  readonly kustomize: string;
  /** Its work directory and log directory. */
  readonly dir: string;
  /** Allow plain `http://` repositories. */
  readonly allowHttp?: boolean;
  readonly logLevel?: 'debug' | 'info';
}

/** A running reconciler process. */
export interface ReconcilerProcess {
  /** The command line, for people to read (no secret is on it). */
  readonly commandLine: string;
  readonly logFile: string;
  /** `http://127.0.0.1:<port>`: `/healthz`, `/readyz`, `/metrics`. */
  readonly metricsUrl: string;
  /** `http://127.0.0.1:<port>/hooks/github`. */
  readonly webhookUrl: string;
  /** The webhook's shared secret, given through `KUSTODIAN_WEBHOOK_SECRET`. */
  readonly webhookSecret: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The flags of `reconciler/src/main.ts` for `options` and the two ports (pure). */
export function reconcilerArgs(
  options: ReconcilerProcessOptions,
  ports: { metrics: number; webhook: number },
): string[] {
  return [
    `--kubeconfig=${options.kubeconfig}`,
    `--namespace=${options.namespace}`,
    `--kustomize=${options.kustomize}`,
    `--work-dir=${join(options.dir, 'work')}`,
    `--metrics-port=${ports.metrics}`,
    `--webhook-port=${ports.webhook}`,
    `--log-level=${options.logLevel ?? 'info'}`,
    ...(options.allowHttp ? ['--allow-http'] : []),
  ];
}

/** Starts the reconciler and waits until it is ready (at most 60 s). */
export async function startReconcilerProcess(
  options: ReconcilerProcessOptions,
): Promise<ReconcilerProcess> {
  await mkdir(options.dir, { recursive: true });
  const ports = { metrics: await freePort(), webhook: await freePort() };
  const args = reconcilerArgs(options, ports);
  const main = join(projectRoot, 'reconciler/src/main.ts');
  const webhookSecret = randomBytes(32).toString('hex');
  const proc = await startProcess({
    name: 'reconciler',
    file: process.execPath,
    args: [main, ...args],
    logDir: options.dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: options.dir,
      KUSTODIAN_WEBHOOK_SECRET: webhookSecret,
    },
  });
  const metricsUrl = `http://127.0.0.1:${ports.metrics}`;
  try {
    await waitUntilHealthy(
      proc,
      async () => (await fetch(`${metricsUrl}/readyz`)).status === 200,
      60_000,
    );
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    commandLine: `npm run reconciler -- ${args.join(' ')}`,
    logFile: proc.logFile,
    metricsUrl,
    webhookUrl: `http://127.0.0.1:${ports.webhook}/hooks/github`,
    webhookSecret,
    process: proc,
    stop: () => proc.stop(),
  };
}
