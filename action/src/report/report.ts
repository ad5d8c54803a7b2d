/**
 * Step 10 of the pipeline: the rendered diff (to a file), the step outputs, the annotations
 * and the job summary. At most `annotationLimit` annotations of each severity are emitted,
 * GitHub shows no more per step; every problem is in the log and the summary.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunState } from '../run.ts';
import type { Problem } from '../validate/problems.ts';
import { pinnedKubernetesVersion } from '../validate/served.ts';
import { joinPatches, renderedDiffs } from './diff.ts';
import type { ActionSink } from './sink.ts';
import { renderSummary } from './summary.ts';

/** Annotations of one severity GitHub shows for a step. */
export const annotationLimit = 10;

/** Landing outcomes that mean the branch (or a pull request) now carries a change. */
const changedOutcomes = [
  'committed',
  'pull-request-opened',
  'pull-request-updated',
  'dry-run',
] as const;

/** Writes the diff file, outputs, annotations and summary of the run. */
export async function reportRun(
  state: RunState,
  env: Readonly<Record<string, string | undefined>>,
  sink: ActionSink,
): Promise<void> {
  const diffs = renderedDiffs(state.renderedChanges);
  const patch = joinPatches(diffs);
  let diffFile: string | undefined;
  if (patch !== '') {
    const name = `kustodian-rendered-${env.GITHUB_RUN_ID || process.pid}-${randomBytes(4).toString('hex')}.diff`;
    diffFile = join(env.RUNNER_TEMP || tmpdir(), name);
    await writeFile(diffFile, patch);
  }
  const result = state.result;
  const changed =
    result !== undefined && (changedOutcomes as readonly string[]).includes(result.outcome);
  sink.setOutput('commit-sha', result?.commitSha ?? '');
  sink.setOutput('changed', String(changed));
  sink.setOutput('changed-paths', (result?.changedPaths ?? []).join('\n'));
  sink.setOutput('pull-request-url', result?.pullRequestUrl ?? '');
  sink.setOutput('diff-file', diffFile ?? '');
  annotate(state.problems, sink);
  sink.info(state.outcome ?? 'done');
  await sink.appendSummary(
    renderSummary({
      repository: state.inputs?.repository ?? '(unknown)',
      ...(state.branch === undefined ? {} : { branch: state.branch }),
      commitMode: state.inputs?.commit ?? '(unknown)',
      ...(state.kustomize === undefined ? {} : { kustomizeVersion: state.kustomize.version }),
      kubernetesVersion: pinnedKubernetesVersion,
      overlays: state.overlays ?? [],
      outcome: state.outcome ?? 'done',
      changes: state.changes,
      problems: state.problems,
      diffs,
      ...(diffFile === undefined ? {} : { diffFile }),
    }),
  );
}

/** The first `annotationLimit` errors and warnings as annotations, the rest as log lines. */
function annotate(problems: readonly Problem[], sink: ActionSink): void {
  const counts = { error: 0, warning: 0 };
  for (const problem of problems) {
    counts[problem.severity]++;
    const place = {
      title: `kustodian ${problem.check}`,
      ...(problem.file === undefined ? {} : { file: problem.file }),
      ...(problem.line === undefined ? {} : { line: problem.line }),
    };
    if (counts[problem.severity] > annotationLimit)
      sink.info(`${problem.severity}: ${problem.message}`);
    else if (problem.severity === 'error') sink.error(problem.message, place);
    else sink.warning(problem.message, place);
  }
}
