/**
 * `kustodian`: see and steer Applications with the kubeconfig, as `kubectl` does.
 */
import { type ApplicationSummary, Applications } from '@kustodian/query/applications';
import { applicationsApi, loadKubeconfig, QueryError } from '@kustodian/query/kube';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { exitCodes } from './exit-codes.ts';

type Options = {
  namespace?: string;
  allNamespaces?: boolean;
  output?: string;
  kubeconfig?: string;
  context?: string;
  wait?: boolean;
  timeout?: string;
};

const outputs = ['table', 'json', 'yaml'] as const;

function connect(options: Options): { apps: Applications; namespace: string } {
  const { kc, namespace } = loadKubeconfig({
    kubeconfig: options.kubeconfig,
    context: options.context,
  });
  return { apps: new Applications(applicationsApi(kc)), namespace: options.namespace ?? namespace };
}

function print(options: Options, value: unknown, table: () => string): void {
  const output = options.output ?? 'table';
  if (!(outputs as readonly string[]).includes(output))
    throw new UsageError(`--output ${output}: use one of ${outputs.join(', ')}`);
  if (output === 'json') process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else if (output === 'yaml') process.stdout.write(stringify(value));
  else process.stdout.write(table());
}

class UsageError extends Error {}

function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function age(iso: string, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120
    ? `${s}s`
    : s < 7200
      ? `${Math.round(s / 60)}m`
      : s < 172800
        ? `${Math.round(s / 3600)}h`
        : `${Math.round(s / 86400)}d`;
}

function summaryTable(list: ApplicationSummary[], all: boolean): string {
  const head = [
    ...(all ? ['NAMESPACE'] : []),
    'NAME',
    'READY',
    'HEALTH',
    'REVISION',
    'SOURCE',
    'AGE',
    'LAST SYNC',
    'MESSAGE',
  ];
  return columns([
    head,
    ...list.map((a) => [
      ...(all ? [a.namespace] : []),
      a.name,
      a.suspended ? 'Suspended' : a.ready,
      a.health,
      a.revision ? a.revision.replace(a.commit, a.commit.slice(0, 12)) : '-',
      a.sourceCommit.slice(0, 12) || '-',
      age(a.createdAt),
      a.lastSyncAt ? `${age(a.lastSyncAt)} ago` : '-',
      a.message,
    ]),
  ]);
}

function common(command: Command): Command {
  return command
    .option('-n, --namespace <namespace>', "the namespace (default: the context's)")
    .option('-A, --all-namespaces', 'every namespace')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--kubeconfig <file>', 'the kubeconfig (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context');
}

async function run(action: () => Promise<number | undefined>): Promise<void> {
  try {
    process.exitCode = (await action()) ?? exitCodes.ok;
  } catch (error) {
    if (error instanceof QueryError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode =
        error.failure === 'not-found'
          ? exitCodes.notFound
          : error.failure === 'forbidden' || error.failure === 'unauthorized'
            ? exitCodes.forbidden
            : error.failure === 'unreachable'
              ? exitCodes.unreachable
              : error.failure === 'kubeconfig'
                ? exitCodes.kubeconfig
                : exitCodes.failed;
    } else if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = exitCodes.usage;
    } else {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = exitCodes.failed;
    }
  }
}

const exitHelp = `
Exit codes: 0 ok, 1 the Application failed, 2 usage, 3 not found, 4 not allowed (RBAC),
5 API server unreachable, 6 timed out, 7 suspended, 8 kubeconfig missing or unreadable.`;

const program = new Command();
program.exitOverride((error) =>
  process.exit(error.exitCode === 0 ? exitCodes.ok : exitCodes.usage),
);
program
  .name('kustodian')
  .description('See and steer Kustodian Applications, with the kubeconfig like kubectl.');

common(
  program
    .command('get [app]')
    .description('Ready, Health, revision, source commit, age, last sync, message'),
)
  .addHelpText(
    'after',
    `\nExamples:\n  kustodian get -A\n  kustodian get web -n team -o json\n${exitHelp}`,
  )
  .action((app: string | undefined, options: Options) =>
    run(async () => {
      const { apps, namespace } = connect(options);
      if (app) {
        const one = await apps.get(namespace, app);
        print(options, one, () => summaryTable([one], false));
        return;
      }
      const list = await apps.list(options.allNamespaces ? undefined : namespace);
      print(options, list, () =>
        list.length === 0
          ? 'No Applications found.\n'
          : summaryTable(list, !!options.allNamespaces),
      );
    }),
  );

common(
  program
    .command('sync <app>')
    .description('request a reconcile now; with --wait, wait until Ready or failure'),
)
  .option('--wait', 'wait until the request is handled and the Application is Ready or failed')
  .option('--timeout <seconds>', 'how long --wait waits', '300')
  .addHelpText(
    'after',
    `\nExamples:\n  kustodian sync web -n team\n  kustodian sync web --wait --timeout 120\n${exitHelp}`,
  )
  .action((app: string, options: Options) =>
    run(async () => {
      const { apps, namespace } = connect(options);
      const before = await apps.get(namespace, app);
      if (before.suspended) {
        process.stderr.write(
          `error: Application ${namespace}/${app} is suspended: resume it with \`kustodian resume ${app} -n ${namespace}\`\n`,
        );
        return exitCodes.suspended;
      }
      const at = await apps.requestSync(namespace, app, new Date());
      const tty = process.stderr.isTTY && options.output === 'table';
      if (!options.wait) {
        print(
          options,
          { namespace, name: app, requestedAt: at },
          () => `sync of Application ${namespace}/${app} requested at ${at}\n`,
        );
        return;
      }
      const deadline = Date.now() + Number(options.timeout) * 1000;
      let last = before;
      while (Date.now() < deadline) {
        last = await apps.get(namespace, app);
        if (last.handledRequestedAt === at && last.ready !== 'Unknown') break;
        if (tty)
          process.stderr.write(
            `\r\x1b[2Kwaiting for Application ${namespace}/${app}: ${last.reason || 'pending'}`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
      if (tty) process.stderr.write('\r\x1b[2K');
      print(options, last, () => summaryTable([last], false));
      if (last.handledRequestedAt !== at) {
        process.stderr.write(
          `error: Application ${namespace}/${app} did not handle the sync request within ${options.timeout}s\n`,
        );
        return exitCodes.timeout;
      }
      if (last.ready !== 'True') {
        process.stderr.write(
          `error: Application ${namespace}/${app} failed: ${last.reason}: ${last.message}\n`,
        );
        return exitCodes.failed;
      }
      return;
    }),
  );

for (const [verb, suspend] of [
  ['suspend', true],
  ['resume', false],
] as const) {
  common(program.command(`${verb} <app>`).description(`${verb} reconciling the Application`))
    .addHelpText('after', `\nExamples:\n  kustodian ${verb} web -n team\n${exitHelp}`)
    .action((app: string, options: Options) =>
      run(async () => {
        const { apps, namespace } = connect(options);
        await apps.get(namespace, app);
        const after = await apps.setSuspended(namespace, app, suspend);
        print(
          options,
          after,
          () => `Application ${namespace}/${app} ${suspend ? 'suspended' : 'resumed'}\n`,
        );
      }),
    );
}

common(program.command('history <app>').description('the past syncs, newest first'))
  .addHelpText('after', `\nExamples:\n  kustodian history web -n team -o yaml\n${exitHelp}`)
  .action((app: string, options: Options) =>
    run(async () => {
      const { apps, namespace } = connect(options);
      const history = await apps.history(namespace, app);
      print(options, history, () =>
        columns([
          ['REVISION', 'RESULT', 'SOURCE', 'FINISHED', 'REASON'],
          ...history.map((h) => [
            h.revision.slice(0, 12),
            h.result,
            (h.sourceCommit ?? '').slice(0, 12) || '-',
            h.finishedAt,
            h.reason ?? '',
          ]),
        ]),
      );
    }),
  );

await program.parseAsync(process.argv);
