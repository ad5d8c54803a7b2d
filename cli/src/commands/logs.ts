/**
 * `kustodian logs <app>`: the logs of the pods of an Application's workloads, each line
 * prefixed with `pod/container`. Pods are found through the inventory (see
 * `@kustodian/query/pods`); a pod whose log cannot be read is named on stderr and the others
 * still print; RBAC denial stops with exit 4.
 */
import { QueryError } from '@kustodian/query/errors';
import { applicationPods, podLogsApi } from '@kustodian/query/logs';
import type { WorkloadPod } from '@kustodian/query/pods';
import { exitCodes } from '../exit-codes.ts';
import { colours } from '../render.ts';
import { CommandUsageError, type CommonOptions, type Kit } from './kit.ts';

interface LogsOptions extends CommonOptions {
  object?: string;
  follow?: boolean;
  container?: string;
}

/** Registers `logs`. */
export function registerLogs(kit: Kit): void {
  kit
    .command(
      'logs <app>',
      "the logs of the pods of the Application's workloads (through Deployments, StatefulSets, DaemonSets, Jobs), each line prefixed with pod/container",
      ['kustodian logs web -n team', 'kustodian logs web --object Deployment/api -c api -f'],
    )
    .option('--object <kind/name>', 'only the pods of this inventory object, e.g. Deployment/api')
    .option('-c, --container <name>', 'only this container of each pod')
    .option('-f, --follow', 'keep streaming new lines until interrupted')
    .action((app: string, options: LogsOptions) =>
      kit.run(async () => {
        if (options.output !== 'table')
          throw new CommandUsageError(
            `logs prints log lines only: -o ${options.output} does not apply`,
          );
        const { kc, api, objects, namespace } = kit.connect(options);
        const ns = kit.oneNamespace(options, namespace);
        const pods = await applicationPods(api, objects, ns, app, options.object);
        const streams = pods.flatMap((pod) =>
          pod.containers
            .filter((c) => !options.container || c === options.container)
            .map((container) => ({ pod, container })),
        );
        if (pods.length === 0) {
          process.stderr.write(
            `Application ${ns}/${app} has no pods${options.object ? ` of ${options.object}` : ''}.\n`,
          );
          return exitCodes.ok;
        }
        if (streams.length === 0)
          throw new QueryError(
            'not-found',
            `no pod of Application ${ns}/${app} has a container ${options.container}: its pods have ${[...new Set(pods.flatMap((p) => p.containers))].join(', ')}`,
          );
        const logs = podLogsApi(kc);
        const abort = new AbortController();
        process.once('SIGINT', () => abort.abort());
        let failed = 0;
        const one = async ({ pod, container }: { pod: WorkloadPod; container: string }) => {
          const prefix = colours.cyan(`${pod.name}/${container} `);
          let partial = '';
          try {
            await logs.stream(pod, container, {
              follow: options.follow === true,
              signal: abort.signal,
              onText: (text) => {
                const lines = (partial + text).split('\n');
                partial = lines.pop() ?? '';
                for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
              },
            });
            if (partial) process.stdout.write(`${prefix}${partial}\n`);
          } catch (error) {
            if (error instanceof QueryError && error.failure !== 'other') throw error;
            failed += 1;
            process.stderr.write(
              `error: ${error instanceof Error ? error.message : String(error)}\n`,
            );
          }
        };
        // Followed streams run side by side; a one-off read prints pod after pod, in order.
        if (options.follow) await Promise.all(streams.map(one));
        else for (const stream of streams) await one(stream);
        return failed > 0 ? exitCodes.failed : exitCodes.ok;
      }),
    );
}
