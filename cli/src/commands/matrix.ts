/**
 * `kustodian matrix`: what runs where, environments × applications, one cell per Application
 * with its image tags, config commit, health and since when (see `@kustodian/query/matrix` for
 * how environments and applications are named).
 */
import { cellState, cellsAt, type Matrix, type MatrixCell } from '@kustodian/query/matrix';
import { age, colours, columns, paint, print } from '../render.ts';
import { CommandUsageError, type CommonOptions, type Kit } from './kit.ts';

interface MatrixOptions extends CommonOptions {
  images: boolean;
  envLabel: string;
  appLabel: string;
  contexts?: string;
}

/** Registers `matrix`. */
export function registerMatrix(kit: Kit): void {
  kit
    .command(
      'matrix',
      'what runs where: environments (label, overlay path, else the cluster) × applications, each cell with image tags, config commit, health and since when',
      [
        'kustodian matrix -A',
        'kustodian matrix -n kustodian-system -o json',
        'kustodian matrix -A --contexts staging,production',
        'kustodian matrix -A --env-label acme.example/environment --no-images',
      ],
    )
    .option(
      '--contexts <names>',
      'kubeconfig contexts to read, comma-separated: one matrix of their clusters',
    )
    .option('--no-images', 'skip reading the workloads: one LIST, cells without image tags')
    .option(
      '--env-label <key>',
      'the Application label naming its environment',
      'kustodian.dev/environment',
    )
    .option(
      '--app-label <key>',
      'the Application label naming its application',
      'kustodian.dev/app',
    )
    .action((options: MatrixOptions) =>
      kit.run(async () => {
        const { clusterName } = await import('@kustodian/query/trace-read');
        const { readCluster } = await import('@kustodian/query/matrix-read');
        const { buildMatrix } = await import('@kustodian/query/matrix');
        if (options.contexts !== undefined && options.context !== undefined)
          throw new CommandUsageError('give --context or --contexts, not both');
        const contexts = options.contexts?.split(',').map((c) => c.trim()) ?? [options.context];
        if (contexts.some((c) => c === ''))
          throw new CommandUsageError(`--contexts ${options.contexts}: name each context`);
        // Each context is one LIST of Applications (and the workload LISTs), read side by side.
        const reads = await Promise.all(
          contexts.map((context) => {
            const { kc, api, objects, namespace } = kit.connect(
              context === undefined ? options : { ...options, context },
            );
            return readCluster(api, objects, {
              namespace: options.allNamespaces ? undefined : namespace,
              cluster: clusterName(kc),
              images: options.images,
            });
          }),
        );
        const parts = reads.map((r) => r.cluster);
        const denied = reads.flatMap((r) => r.denied);
        const matrix = buildMatrix(parts, {
          environment: options.envLabel,
          application: options.appLabel,
        });
        for (const message of denied) process.stderr.write(`warning: ${message}\n`);
        print(options.output, matrix, () => matrixTable(matrix));
        return;
      }),
    );
}

/**
 * The `matrix` table: a row per application, a column per environment (its name, or
 * `cluster/name` when two clusters share a name), each cell `tags commit health age`.
 */
export function matrixTable(matrix: Matrix): string {
  if (matrix.cells.length === 0) return 'No Applications found.\n';
  const names = matrix.environments.map((e) => e.name);
  const heads = matrix.environments.map((e) =>
    names.filter((n) => n === e.name).length > 1 ? e.key : e.name,
  );
  const grouped = matrix.applications.some((a) => a.group !== '');
  return columns([
    [...(grouped ? ['GROUP'] : []), 'APPLICATION', ...heads].map((h) => colours.bold(h)),
    ...matrix.applications.map((row) => [
      ...(grouped ? [row.group || '-'] : []),
      row.name,
      ...matrix.environments.map((env) => {
        const here = cellsAt(matrix, row.name, env.key);
        return here.length === 0 ? '-' : here.map(cellText).join('; ');
      }),
    ]),
  ]);
}

/** `1.4.3 3f2c1ab Healthy 2h`: tags, commit, state (the Ready reason when not Ready), since. */
function cellText(cell: MatrixCell): string {
  const state = cellState(cell);
  return [
    ...(cell.tags ? [cell.tags.join(',') || '-'] : []),
    cell.commit.slice(0, 7) || '-',
    cell.ready === 'False' ? colours.red(state) : paint(state),
    cell.since ? age(cell.since) : '-',
  ].join(' ');
}
