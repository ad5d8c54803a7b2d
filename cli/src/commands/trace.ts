/**
 * `kustodian trace <image[:tag]|commit>`: which Applications run an image or a commit, where,
 * since when, from which bump commit and app commit, and whether healthy; with `--timeline`,
 * the steps of the change per Application (app commit, bump commit, fetched, applied, healthy).
 */
import { QueryError } from '@kustodian/query/errors';
import { shortCommits } from '@kustodian/query/format';
import type { Timeline } from '@kustodian/query/timeline';
import type { TraceHit } from '@kustodian/query/trace';
import { age, colours, columns, duration, paint, print } from '../render.ts';
import { CommandUsageError, type CommonOptions, type Kit } from './kit.ts';

interface TraceOptions extends CommonOptions {
  timeline?: boolean;
}

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
        'kustodian trace 3f2c1ab -A --timeline',
      ],
    )
    .option(
      '--timeline',
      'also the steps per Application: app commit, bump commit, fetched, applied, healthy, with times',
    )
    .action((text: string, options: TraceOptions) =>
      kit.run(async () => {
        const { parseTraceTarget } = await import('@kustodian/query/trace');
        const { clusterName } = await import('@kustodian/query/trace-read');
        const { readTimeline } = await import('@kustodian/query/timeline-read');
        const target = parseTraceTarget(text);
        if ('problem' in target) throw new CommandUsageError(target.problem);
        const { kc, api, objects, namespace } = kit.connect(options);
        const where = options.allNamespaces ? undefined : namespace;
        const { hits, denied, timelines } = await readTimeline(
          api,
          objects,
          where,
          target,
          clusterName(kc),
        );
        for (const message of denied) process.stderr.write(`warning: ${message}\n`);
        // With --timeline a bump still being applied (or failed) is an answer too.
        if (hits.length === 0 && !(options.timeline && timelines.length > 0))
          throw new QueryError(
            'not-found',
            `no Application ${where ? `in namespace ${where}` : 'in any namespace'} runs ${target.kind === 'image' ? 'image' : 'commit'} ${text}${where ? ' (try -A for every namespace)' : ''}`,
          );
        if (options.timeline)
          print(options.output, { hits, timelines }, () =>
            [hits.length > 0 ? traceTable(hits) : '', timelineTable(timelines)]
              .filter(Boolean)
              .join('\n'),
          );
        else print(options.output, hits, () => traceTable(hits));
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

/** The `--timeline` table: the steps of each Application, the time since each and before. */
export function timelineTable(timelines: readonly Timeline[]): string {
  return columns([
    ['APPLICATION', 'STEP', 'STATE', 'AT', 'AFTER', 'DETAIL'].map((h) => colours.bold(h)),
    ...timelines.flatMap((t) =>
      t.steps.map((s, i) => [
        i === 0 ? `${t.application.namespace}/${t.application.name}` : '',
        s.step,
        paint(s.state),
        s.at ? `${age(s.at)} ago` : '-',
        s.afterMs === null ? '-' : duration(s.afterMs),
        shortCommits(s.detail),
      ]),
    ),
  ]);
}
