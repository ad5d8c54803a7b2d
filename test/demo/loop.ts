/**
 * The demo's second half: the release's bump step runs the bundled action, which commits the
 * new tag; GitHub's push webhook (played here) tells the reconciler; the cluster converges.
 * Prints the action's log as a runner shows it and ends with the timings of the change.
 */
import { StepError } from '@kustodian/shared/errors';
import { applicationType } from './applications.ts';
import { followChange, type Milestone, revisionOf } from './converge.ts';
import type { DemoIo } from './demo.ts';
import type { DemoKube } from './kube.ts';
import type { ReconcilerProcess } from './reconciler-process.ts';
import { type Release, releasedApp } from './release.ts';
import { timingLines } from './report.ts';
import { runActionStep, type StepResult } from './runner.ts';
import { deliverPush } from './webhook.ts';

/** Where the released app runs and where its config lives. */
export interface LoopPlace {
  readonly appNamespace: string;
  readonly appName: string;
  readonly deploymentNamespace: string;
  /** The config repository as the Applications and the webhook name it. */
  readonly cloneUrl: string;
  readonly fullName: string;
  /** The config repository's head before the release. */
  readonly before: string;
  /** Reads a commit's message from the config repository. */
  readonly commitMessage: (sha: string) => Promise<string>;
}

/** When each milestone was reached, and when the commit landed (ms since the epoch). */
export type LoopTimings = Record<Milestone, number> & { readonly commit: number };

/** The most lines of the action's log shown; the rest is summarized. */
const shownLogLines = 40;

/** Runs the release's bump, delivers the push webhook and follows the cluster to the commit. */
export async function bumpAndConverge(
  io: DemoIo,
  kube: DemoKube,
  reconciler: ReconcilerProcess,
  release: Release,
  place: LoopPlace,
): Promise<LoopTimings> {
  const { say } = io;
  say.step(
    `releasing ${releasedApp.repository} v${release.tag}: the bump job runs action/dist/index.js as a runner would (commit: ${release.step.inputs.commit})`,
  );
  const result = await runStep(io, release);
  const commit = result.outputs['commit-sha'] ?? '';
  say.detail(`outputs: changed=${result.outputs.changed} commit-sha=${commit}`);
  say.detail(`changed-paths: ${result.outputs['changed-paths']?.split('\n').join(', ')}`);
  say.detail('commit message:');
  for (const line of (await place.commitMessage(commit)).split('\n')) say.detail(`  ${line}`);
  say.detail('rendered diff, from the job summary:');
  for (const line of changedLines(result.summary)) say.detail(`  ${line}`);

  say.step('GitHub delivers the push webhook to the reconciler (signed with X-Hub-Signature-256)');
  const status = await deliverPush(reconciler.webhookUrl, reconciler.webhookSecret, {
    cloneUrl: place.cloneUrl,
    fullName: place.fullName,
    branch: 'main',
    before: place.before,
    after: commit,
  });
  say.detail(`answered ${status}; without the webhook the reconciler would notice at its interval`);

  const image = `${releasedApp.image}:${release.tag}`;
  say.step(`watching the cluster converge on ${commit.slice(0, 7)} (${image})`);
  const reached = await followChange(
    async () => ({
      app: await kube.get(
        applicationType.apiVersion,
        applicationType.kind,
        place.appNamespace,
        place.appName,
      ),
      deployment: await kube.get(
        'apps/v1',
        'Deployment',
        place.deploymentNamespace,
        releasedApp.deployment.name,
      ),
    }),
    { revision: revisionOf('main', commit), container: releasedApp.deployment.container, image },
    {
      onProgress: (text) => say.progress(text),
      signal: io.signal,
      timeoutMs: 120_000,
      appName: place.appName,
    },
  );
  say.endProgress();
  const timings: LoopTimings = { ...reached, commit: result.finishedAt };
  say.detail(`Deployment ${place.deploymentNamespace}/web runs ${image} on every pod`);
  say.detail(
    `Application ${place.appNamespace}/${place.appName} is Ready at ${revisionOf('main', commit)}`,
  );
  say.detail('');
  for (const line of timingSummary(timings, result)) say.detail(line);
  return timings;
}

async function runStep(io: DemoIo, release: Release): Promise<StepResult> {
  const result = await runActionStep(release.step);
  const log = result.log;
  const shown =
    log.length > shownLogLines
      ? [...log.slice(0, shownLogLines), `… ${log.length - shownLogLines} more lines`]
      : log;
  for (const line of shown) io.say.detail(`│ ${line}`);
  if (result.code !== 0) {
    throw new StepError(
      'release',
      releasedApp.repository,
      `the action failed with exit code ${result.code}`,
    );
  }
  if (result.outputs.changed !== 'true' || !result.outputs['commit-sha']) {
    throw new StepError('release', releasedApp.repository, 'the action landed no commit');
  }
  return result;
}

/** The changed lines of the rendered diffs in a job summary, headers left out (pure). */
export function changedLines(summary: string, max = 20): string[] {
  const lines: string[] = [];
  for (const block of summary.matchAll(/````diff\n([\s\S]*?)````/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      if (/^[-+@]/.test(line) && !/^(\+\+\+|---) /.test(line)) lines.push(line);
    }
  }
  return lines.length > max ? [...lines.slice(0, max), `… ${lines.length - max} more`] : lines;
}

/** The closing lines: how long each part of the loop took (pure). */
export function timingSummary(
  timings: LoopTimings,
  step: Pick<StepResult, 'startedAt' | 'finishedAt'>,
): string[] {
  return [
    'Timings:',
    ...timingLines([
      ['action run (validate every overlay, bump, push)', step.finishedAt - step.startedAt],
      ['bump commit → fetched by the reconciler', timings.seen - timings.commit],
      ['bump commit → applied (new image in the Deployment)', timings.applied - timings.commit],
      ['applied → healthy (rolled out, Application Ready)', timings.ready - timings.applied],
      ['bump commit → healthy', timings.ready - timings.commit],
    ]).map((line) => `  ${line}`),
  ];
}
