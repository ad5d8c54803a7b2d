/**
 * `kustodian`: see and steer Applications with the kubeconfig, as `kubectl` does. Each command
 * reads through the query layer (`@kustodian/query`), prints a table, JSON or YAML, and ends
 * with one of the documented exit codes.
 */
import { Applications } from '@kustodian/query/applications';
import { QueryError } from '@kustodian/query/errors';
import { applicationsApi, loadKubeconfig } from '@kustodian/query/kube';
import { objectsApi } from '@kustodian/query/objects';
import { progressLine, syncProgress } from '@kustodian/query/progress';
import {
  type WaitGoal,
  type WaitOutcome,
  waitForApplication,
  waitGoals,
} from '@kustodian/query/wait';
import { applicationChanges } from '@kustodian/query/watch';
import { Argument, Command, Option } from 'commander';
import { registerChecks } from './commands/check.ts';
import { registerDiff } from './commands/diff.ts';
import { registerGetWatch, watchGet } from './commands/get-watch.ts';
import { CommandUsageError as UsageError } from './commands/kit.ts';
import { registerLogs } from './commands/logs.ts';
import { registerMatrix } from './commands/matrix.ts';
import { registerRollback } from './commands/rollback.ts';
import { registerTrace } from './commands/trace.ts';
import { completionScript, shells } from './completion.ts';
import { exitCodes, exitCodesHelp } from './exit-codes.ts';
import {
  colours,
  eventsTable,
  type Output,
  outputs,
  print,
  summaryTable,
  treeText,
} from './render.ts';

interface Options {
  namespace?: string;
  allNamespaces?: boolean;
  output: Output;
  kubeconfig?: string;
  context?: string;
  wait?: boolean;
  watch?: boolean;
  timeout: string;
  for?: WaitGoal;
  revision?: string;
}

function connect(options: Options) {
  const { kc, namespace } = loadKubeconfig({
    kubeconfig: options.kubeconfig,
    context: options.context,
  });
  const api = applicationsApi(kc);
  return {
    kc,
    api,
    objects: objectsApi(kc),
    apps: new Applications(api, applicationChanges(kc)),
    namespace: options.namespace ?? namespace,
  };
}

/** The namespace of a command about one Application (`-A` makes no sense there). */
function oneNamespace(options: Options, fallback: string): string {
  if (options.allNamespaces)
    throw new UsageError(
      '-A/--all-namespaces lists Applications; name one with -n NAMESPACE instead',
    );
  return options.namespace ?? fallback;
}

function timeoutMs(options: Options): number {
  const seconds = Number(options.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout ${options.timeout}: give a number of seconds`);
  return seconds * 1000;
}

/**
 * A spinner on a terminal with table output; nothing otherwise (never mixed with JSON). The
 * spinner library loads only when it spins.
 */
async function progress(options: Options, text: string) {
  if (!process.stderr.isTTY || options.output !== 'table')
    return { update: (_: string) => {}, stop: () => {} };
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: process.stderr }).start();
  return {
    update: (t: string) => {
      spinner.text = t;
    },
    stop: () => spinner.stop(),
  };
}

const waitExit: Record<WaitOutcome, number> = {
  reached: exitCodes.ok,
  failed: exitCodes.failed,
  suspended: exitCodes.suspended,
  timeout: exitCodes.timeout,
};

async function run(action: () => Promise<number | undefined>): Promise<void> {
  try {
    process.exitCode = (await action()) ?? exitCodes.ok;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) process.exitCode = exitCodes.usage;
    else if (error instanceof QueryError)
      process.exitCode = {
        'not-found': exitCodes.notFound,
        forbidden: exitCodes.forbidden,
        unauthorized: exitCodes.forbidden,
        unreachable: exitCodes.unreachable,
        kubeconfig: exitCodes.kubeconfig,
        other: exitCodes.failed,
      }[error.failure];
    else process.exitCode = exitCodes.failed;
  }
}

const program = new Command();
program
  .name('kustodian')
  .description('See and steer Kustodian Applications, with the kubeconfig like kubectl.')
  .exitOverride((error) => process.exit(error.exitCode === 0 ? exitCodes.ok : exitCodes.usage))
  .addHelpText(
    'after',
    `\nExamples:\n  kustodian get -A\n  kustodian sync web -n team --wait\n${exitCodesHelp}`,
  );

function command(spec: string, description: string, examples: string[]): Command {
  return program
    .command(spec)
    .description(description)
    .option('-n, --namespace <namespace>', "the namespace (default: the kubeconfig context's)")
    .option('-A, --all-namespaces', 'every namespace (get, trace and matrix only)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(outputs).default('table'),
    )
    .option('--kubeconfig <file>', 'the kubeconfig (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context (default: its current context)')
    .addHelpText(
      'after',
      `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n${exitCodesHelp}`,
    );
}

command(
  'get [app]',
  'Ready, Health, revision, source commit, age, last sync and message of Applications',
  ['kustodian get -A', 'kustodian get web -n team -o json', 'kustodian get -A --watch'],
).action((app: string | undefined, options: Options) =>
  run(async () => {
    if (options.watch) return watchGet(connect(options), options, app, oneNamespace);
    const { apps, namespace } = connect(options);
    if (app) {
      const one = await apps.get(oneNamespace(options, namespace), app);
      print(options.output, one, () => summaryTable([one], false));
      return;
    }
    const list = await apps.list(options.allNamespaces ? undefined : namespace);
    print(options.output, list, () => summaryTable(list, options.allNamespaces === true));
    return;
  }),
);

command('tree <app>', 'the objects of the inventory nested by owner, with kind, health and drift', [
  'kustodian tree web -n team',
  'kustodian tree web -o json',
]).action((app: string, options: Options) =>
  run(async () => {
    const { api, objects, namespace } = connect(options);
    const ns = oneNamespace(options, namespace);
    const { applicationTree } = await import('@kustodian/query/tree');
    const nodes = await applicationTree(api, objects, ns, app);
    print(options.output, nodes, () => treeText(`${ns}/${app}`, nodes));
    return;
  }),
);

command(
  'sync <app>',
  'ask the reconciler to reconcile now; with --wait, wait until Ready or failure',
  ['kustodian sync web -n team', 'kustodian sync web --wait --timeout 120'],
)
  .option('--wait', 'wait until the request is handled and the Application is Ready or failed')
  .option('--timeout <seconds>', 'how long --wait waits', '300')
  .action((app: string, options: Options) =>
    run(async () => {
      const { apps, namespace } = connect(options);
      const ns = oneNamespace(options, namespace);
      const limit = timeoutMs(options);
      const before = await apps.get(ns, app);
      if (before.suspended) {
        process.stderr.write(
          `error: Application ${ns}/${app} is suspended: resume it with \`kustodian resume ${app} -n ${ns}\`\n`,
        );
        return exitCodes.suspended;
      }
      const requestedAt = await apps.requestSync(ns, app, new Date());
      if (!options.wait) {
        print(
          options.output,
          { namespace: ns, name: app, requestedAt },
          () => `sync of Application ${ns}/${app} requested\n`,
        );
        return exitCodes.ok;
      }
      const shown = await progress(options, `syncing Application ${ns}/${app}`);
      let steps = '';
      const { outcome, app: last } = await waitForApplication(apps, ns, app, {
        goal: 'synced',
        requestedAt,
        timeoutMs: limit,
        onProgress: (a, raw) => {
          const line = progressLine(syncProgress(a, raw, requestedAt));
          shown.update(`syncing Application ${ns}/${app}: ${line}`);
          // Without a terminal, each new step state is a line of its own on stderr.
          if (line !== steps && !process.stderr.isTTY && options.output === 'table')
            process.stderr.write(`sync ${ns}/${app}: ${line}\n`);
          steps = line;
        },
      });
      shown.stop();
      print(options.output, last, () => summaryTable([last], false));
      return report(
        outcome,
        `${ns}/${app}`,
        last,
        options,
        `the sync request was not handled within ${options.timeout}s`,
      );
    }),
  );

command('wait <app>', 'wait until the Application is synced or healthy, optionally at a revision', [
  'kustodian wait web -n team --for healthy',
  'kustodian wait web --for synced --revision 3f2c1ab --timeout 600',
])
  .addOption(new Option('--for <goal>', 'what to wait for').choices(waitGoals).default('healthy'))
  .option('--revision <sha>', 'the config commit (or its prefix) that must be applied')
  .option('--timeout <seconds>', 'how long to wait', '300')
  .action((app: string, options: Options) =>
    run(async () => {
      const { apps, namespace } = connect(options);
      const ns = oneNamespace(options, namespace);
      const limit = timeoutMs(options);
      const shown = await progress(
        options,
        `waiting for Application ${ns}/${app} to be ${options.for}`,
      );
      const { outcome, app: last } = await waitForApplication(apps, ns, app, {
        goal: options.for ?? 'healthy',
        revision: options.revision,
        timeoutMs: limit,
        onProgress: (a) =>
          shown.update(
            `waiting for Application ${ns}/${app} to be ${options.for}: ${a.reason} ${a.message}`,
          ),
      });
      shown.stop();
      print(options.output, last, () => summaryTable([last], false));
      return report(
        outcome,
        `${ns}/${app}`,
        last,
        options,
        `not ${options.for}${options.revision ? ` at ${options.revision}` : ''} within ${options.timeout}s`,
      );
    }),
  );

function report(
  outcome: WaitOutcome,
  key: string,
  last: { reason: string; message: string },
  options: Options,
  timedOut: string,
): number {
  if (outcome === 'failed')
    process.stderr.write(`error: Application ${key} failed: ${last.reason}: ${last.message}\n`);
  if (outcome === 'suspended')
    process.stderr.write(
      `error: Application ${key} is suspended: resume it with \`kustodian resume\`\n`,
    );
  if (outcome === 'timeout')
    process.stderr.write(
      `error: Application ${key}: ${timedOut} (last: ${last.reason || 'no status'} ${last.message})\n`,
    );
  void options;
  return waitExit[outcome];
}

for (const [verb, suspend] of [
  ['suspend', true],
  ['resume', false],
] as const) {
  command(`${verb} <app>`, `${verb} reconciling the Application (sets spec.suspend)`, [
    `kustodian ${verb} web -n team`,
  ]).action((app: string, options: Options) =>
    run(async () => {
      const { apps, namespace } = connect(options);
      const ns = oneNamespace(options, namespace);
      await apps.get(ns, app);
      const after = await apps.setSuspended(ns, app, suspend);
      print(
        options.output,
        after,
        () => `Application ${ns}/${app} ${suspend ? 'suspended' : 'resumed'}\n`,
      );
      return;
    }),
  );
}

command('history <app>', 'the past syncs, newest first', [
  'kustodian history web -n team',
  'kustodian history web -o yaml',
]).action((app: string, options: Options) =>
  run(async () => {
    const { apps, namespace } = connect(options);
    const ns = oneNamespace(options, namespace);
    const history = await apps.history(ns, app);
    print(options.output, history, () =>
      history.length === 0
        ? `Application ${ns}/${app} has not synced yet.\n`
        : ([['REVISION', 'RESULT', 'SOURCE', 'FINISHED', 'REASON']] as string[][])
            .concat(
              history.map((h) => [
                h.revision,
                h.result,
                (h.sourceCommit ?? '').slice(0, 12) || '-',
                h.finishedAt,
                h.reason ?? '',
              ]),
            )
            .map((r, i) => (i === 0 ? r.map((c) => colours.bold(c)) : r))
            .map((r) => r.join('   '))
            .join('\n')
            .concat('\n'),
    );
    return;
  }),
);

command('events <app>', 'the events of the Application and of its objects, oldest first', [
  'kustodian events web -n team',
  'kustodian events web -o json',
]).action((app: string, options: Options) =>
  run(async () => {
    const { api, objects, namespace } = connect(options);
    const ns = oneNamespace(options, namespace);
    const { applicationEvents } = await import('@kustodian/query/events');
    const events = await applicationEvents(api, objects, ns, app);
    print(options.output, events, () => eventsTable(events));
    return;
  }),
);

registerGetWatch(program);
registerTrace({ command, run, connect, oneNamespace });
registerMatrix({ command, run, connect, oneNamespace });
registerLogs({ command, run, connect, oneNamespace });
registerDiff({ command, run, connect, oneNamespace });
registerRollback({ command, run, connect, oneNamespace });
registerChecks(program, exitCodesHelp);

program
  .command('completion')
  .description('print a shell completion script')
  .addArgument(new Argument('<shell>', 'the shell').choices(shells))
  .addHelpText(
    'after',
    '\nExamples:\n  source <(kustodian completion bash)\n  kustodian completion fish > ~/.config/fish/completions/kustodian.fish',
  )
  .action((shell: (typeof shells)[number]) => {
    process.stdout.write(
      completionScript(
        shell,
        program.commands.map((c) => c.name()),
        program.commands.flatMap((c) => c.options.flatMap((o) => (o.long ? [o.long] : []))),
      ),
    );
  });

await program.parseAsync(process.argv);
