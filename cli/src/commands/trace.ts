/**
 * `kustodian trace <image[:tag]|commit>`: which Applications run an image or a commit, where,
 * since when, from which bump commit and app commit, and whether healthy.
 */
import { QueryError } from '@kustodian/query/errors';
import type { TraceHit } from '@kustodian/query/trace';
import { age, colours, columns, print } from '../render.ts';
import { CommandUsageError, type CommonOptions, type Kit } from './kit.ts';

/** Registers `trace`. */
export function registerTrace(kit: Kit): void {
  kit
    .command(
      'trace <target>',
      'which Applications run an image (name[:tag][@digest]) or a config or app commit: where, since when, from which bump and app commit, and whether healthy',
      [
        'kustodian trace ghcr.io/acme/web:1.4.3 -A',
        'kustodian trace ghcr.io/acme/web -n team',
        'kustodian trace 3f2c1ab -A -o json',
      ],
    )
    .action((text: string, options: CommonOptions) =>
      kit.run(async () => {
        const { parseTraceTarget } = await import('@kustodian/query/trace');
        const { clusterName, readTrace } = await import('@kustodian/query/trace-read');
        const target = parseTraceTarget(text);
        if ('problem' in target) throw new CommandUsageError(target.problem);
        const { kc, api, objects, namespace } = kit.connect(options);
        const where = options.allNamespaces ? undefined : namespace;
        const { hits, denied } = await readTrace(api, objects, where, target, clusterName(kc));
        for (const message of denied) process.stderr.write(`warning: ${message}\n`);
        if (hits.length === 0)
          throw new QueryError(
            'not-found',
            `no Application ${where ? `in namespace ${where}` : 'in any namespace'} runs ${target.kind === 'image' ? 'image' : 'commit'} ${text}${where ? ' (try -A for every namespace)' : ''}`,
          );
        print(options.output, hits, () => traceTable(hits));
        return;
      }),
    );
}

/** The `trace` table: one row per container running the target. */
export function traceTable(hits: readonly TraceHit[]): string {
  const short = (sha: string) => sha.slice(0, 12) || '-';
  return columns([
    [
      'APPLICATION',
      'CLUSTER',
      'OBJECT',
      'CONTAINER',
      'IMAGE',
      'SINCE',
      'BUMP',
      'APP COMMIT',
      'HEALTH',
    ].map((h) => colours.bold(h)),
    ...hits.map((h) => [
      `${h.application.namespace}/${h.application.name}`,
      h.cluster,
      `${h.object.kind}/${h.object.namespace ? `${h.object.namespace}/` : ''}${h.object.name}`,
      h.container,
      h.image,
      h.since ? `${age(h.since)} ago` : '-',
      short(h.bumpCommit),
      h.appRepository ? `${h.appRepository}@${short(h.appCommit)}` : short(h.appCommit),
      h.healthy ? colours.green('Healthy') : colours.yellow(h.health),
    ]),
  ]);
}
