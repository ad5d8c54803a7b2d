/**
 * Step 10 of the pipeline: the rendered diff (to a file), the step outputs, the job summary and
 * the annotations. It runs once the outcome is decided, and a commit may already have landed,
 * so what it cannot write does not change that outcome: a diff file or job summary that cannot
 * be written, or annotations that cannot be printed, are warnings. Only step outputs that cannot
 * be written are an error: later steps would read none of them.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageOf } from '@kustodian/shared/errors';
import type { LandResult } from '../land/types.ts';
import type { RunState } from '../run.ts';
import { error, type Problem, warning } from '../validate/problems.ts';
import { pinnedKubernetesVersion } from '../validate/served.ts';
import { annotate, placementFor } from './annotations.ts';
import { joinPatches, type OverlayDiff, renderedDiffs } from './diff.ts';
import type { ActionSink } from './sink.ts';
import { renderSummary } from './summary.ts';

/** Landing outcomes that mean the branch (or a pull request) now carries a change. */
const changedOutcomes = [
  'committed',
  'pull-request-opened',
  'pull-request-updated',
  'dry-run',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Writes the diff file, outputs, summary and annotations of the run. What it cannot write is
 * added to `state.problems` (see the file comment); it does not throw.
 */
export async function reportRun(state: RunState, env: Env, sink: ActionSink): Promise<void> {
  const outcome = state.outcome ?? 'done';
  const found: Problem[] = [];
  let diffs: OverlayDiff[] = [];
  let diffFile: string | undefined;
  try {
    diffs = renderedDiffs(state.renderedChanges);
    diffFile = await writeDiffFile(diffs, env);
  } catch (thrown) {
    found.push(
      warning('report', `diff-file: cannot write the rendered diff: ${messageOf(thrown)}`),
    );
  }
  try {
    setOutputs(state.result, diffFile, sink);
  } catch (thrown) {
    const message = `outputs: cannot write the step outputs (GITHUB_OUTPUT): ${messageOf(thrown)}; later steps cannot read commit-sha, changed or the others. The run itself ended: ${outcome}`;
    found.push(error('report', message));
  }
  try {
    await sink.appendSummary(renderSummary(summaryFacts(state, found, diffs, diffFile)));
  } catch (thrown) {
    const message = `summary: cannot write the job summary: ${messageOf(thrown)}; the outcome and every problem are in this log`;
    found.push(warning('report', message));
  }
  state.problems.push(...found);
  // Problems found while landing are on a tree GitHub may not have (a newer head, the edit).
  const onHead = state.landingFrom ?? state.problems.length;
  const placement = placementFor({
    repository: state.inputs?.repository ?? '',
    ...(state.head === undefined ? {} : { head: state.head }),
    env,
  });
  try {
    annotate(state.problems, sink, (index) => (index < onHead ? placement : 'text'));
    sink.info(outcome);
  } catch (thrown) {
    state.problems.push(warning('report', `annotations: cannot print them: ${messageOf(thrown)}`));
  }
}

/** Writes the joined patch to a fresh file under `RUNNER_TEMP`; `undefined` when empty. */
async function writeDiffFile(diffs: readonly OverlayDiff[], env: Env): Promise<string | undefined> {
  const patch = joinPatches(diffs);
  if (patch === '') return undefined;
  const name = `kustodian-rendered-${env.GITHUB_RUN_ID || process.pid}-${randomBytes(4).toString('hex')}.diff`;
  const file = join(env.RUNNER_TEMP || tmpdir(), name);
  await writeFile(file, patch);
  return file;
}

function setOutputs(
  result: LandResult | undefined,
  diffFile: string | undefined,
  sink: ActionSink,
): void {
  const changed =
    result !== undefined && (changedOutcomes as readonly string[]).includes(result.outcome);
  sink.setOutput('commit-sha', result?.commitSha ?? '');
  sink.setOutput('changed', String(changed));
  sink.setOutput('changed-paths', (result?.changedPaths ?? []).join('\n'));
  sink.setOutput('pull-request-url', result?.pullRequestUrl ?? '');
  sink.setOutput('diff-file', diffFile ?? '');
}

function summaryFacts(
  state: RunState,
  found: readonly Problem[],
  diffs: readonly OverlayDiff[],
  diffFile: string | undefined,
): Parameters<typeof renderSummary>[0] {
  return {
    repository: state.inputs?.repository ?? '(unknown)',
    ...(state.branch === undefined ? {} : { branch: state.branch }),
    commitMode: state.inputs?.commit ?? '(unknown)',
    ...(state.kustomize === undefined ? {} : { kustomizeVersion: state.kustomize.version }),
    kubernetesVersion: pinnedKubernetesVersion,
    overlays: state.overlays ?? [],
    outcome: state.outcome ?? 'done',
    changes: state.changes,
    problems: [...state.problems, ...found],
    diffs,
    ...(diffFile === undefined ? {} : { diffFile }),
  };
}
