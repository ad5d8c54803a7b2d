/**
 * `kustodian matrix`: what runs where, environments × applications, one cell per Application
 * with its image tags, config commit, health and since when (see `@kustodian/query/matrix` for
 * how environments and applications are named).
 */
import type { Matrix, MatrixCell } from '@kustodian/query/matrix';
import { age, colours, columns, paint, print } from '../render.ts';
import type { CommonOptions, Kit } from './kit.ts';

interface MatrixOptions extends CommonOptions {
  images: boolean;
  envLabel: string;
  appLabel: string;
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
        'kustodian matrix -A --env-label acme.example/environment --no-images',
      ],
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
        const { readMatrix } = await import('@kustodian/query/matrix-read');
        const { kc, api, objects, namespace } = kit.connect(options);
        const { matrix, denied } = await readMatrix(api, objects, {
          namespace: options.allNamespaces ? undefined : namespace,
          cluster: clusterName(kc),
          images: options.images,
          labels: { environment: options.envLabel, application: options.appLabel },
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
        const here = matrix.cells.filter(
          (c) => c.application === row.name && c.environment === env.key,
        );
        return here.length === 0 ? '-' : here.map(cellText).join('; ');
      }),
    ]),
  ]);
}

/** `1.4.3 3f2c1ab Healthy 2h`: tags, commit, state (the Ready reason when not Ready), since. */
function cellText(cell: MatrixCell): string {
  const state = cell.suspended
    ? 'Suspended'
    : cell.ready === 'False'
      ? cell.reason || 'NotReady'
      : cell.health;
  return [
    ...(cell.tags ? [cell.tags.join(',') || '-'] : []),
    cell.commit.slice(0, 7) || '-',
    cell.ready === 'False' ? colours.red(state) : paint(state),
    cell.since ? age(cell.since) : '-',
  ].join(' ');
}
