/**
 * Step 9 of the pipeline: land the bump through the lander of the `commit` mode. Its `prepare`
 * re-applies the edit on the head the lander builds on, re-builds the overlays the edit
 * touches and validates them again, so a commit is only made when the new state builds and
 * validates. On a retry after a lost race, the "before" side of the diff is re-built from the
 * new head too, so the diff shows only this run's change.
 */
import { realpath } from 'node:fs/promises';
import { StepError } from '@kustodian/shared/errors';
import { applyBump } from '../bump/apply.ts';
import type { BumpPlan } from '../bump/plan.ts';
import type { ActionInputs } from '../inputs.ts';
import { selectLander } from '../land/select.ts';
import type { Checkout, FileChange, LandResult } from '../land/types.ts';
import { commitMessage, runUrl } from '../report/message.ts';
import type { ActionSink } from '../report/sink.ts';
import type { RunBoundaries, RunState } from '../run.ts';
import { errorsOf } from '../validate/problems.ts';
import { type RenderedOverlay, type RenderOptions, renderOverlays } from '../validate/render.ts';
import { type CrdCatalog, validateRendered } from '../validate/validate.ts';
import type { Cloned } from './checkout.ts';

/** What landing needs from the pipeline. */
export interface LandContext {
  readonly inputs: ActionInputs;
  readonly boundaries: RunBoundaries;
  readonly sink: ActionSink;
  readonly plan: BumpPlan;
  readonly cloned: Cloned;
  readonly renderOptions: RenderOptions;
  readonly catalog: CrdCatalog;
  /** Receives the image changes and the rendered before/after of the last `prepare`. */
  readonly state: RunState;
}

/** Lands the plan; throws a `StepError` when it cannot. */
export async function landBump(context: LandContext): Promise<LandResult> {
  const { inputs, boundaries, sink, cloned } = context;
  const env = boundaries.env;
  const lander = selectLander(
    inputs.commit,
    {
      git: cloned.git,
      branch: cloned.branch,
      author: inputs.author,
      maxAttempts: inputs.maxAttempts,
      clock: boundaries.clock,
      log: (line) => sink.info(line),
    },
    {
      factory: boundaries.github,
      target:
        cloned.nameWithOwner === undefined
          ? undefined
          : {
              token: inputs.token ?? '',
              apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
              graphqlUrl: env.GITHUB_GRAPHQL_URL || 'https://api.github.com/graphql',
              nameWithOwner: cloned.nameWithOwner,
              pullRequest: {
                images: inputs.images,
                ...(inputs.prBranch === undefined ? {} : { branch: inputs.prBranch }),
                ...(inputs.prTitle === undefined ? {} : { title: inputs.prTitle }),
              },
            },
    },
  );
  const url = runUrl(env);
  const origin = {
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(url === undefined ? {} : { runUrl: url }),
  };
  const message = commitMessage(inputs.images, origin, inputs.message);
  return lander.land({ message, prepare: (checkout) => prepare(context, checkout) });
}

/** Applies the edit on `checkout`, re-builds and re-validates; the files it wrote. */
async function prepare(context: LandContext, checkout: Checkout): Promise<FileChange[]> {
  const { plan, state, inputs } = context;
  const root = await realpath(checkout.dir);
  const options = { ...context.renderOptions, root };
  const moved = checkout.head !== context.cloned.head;
  const before = moved
    ? await renderOverlays(plan.affectedOverlays, options)
    : state.rendered.filter((result) => plan.affectedOverlays.includes(result.overlay));
  const applied = await applyBump(root, plan.targets, inputs.allowDowngrade);
  state.changes = new Map(applied.changes);
  if (applied.problems.length > 0) {
    state.problems.push(...applied.problems);
    throw new StepError(
      'bump',
      'kustomizations',
      `${applied.problems.length} problems; nothing landed`,
    );
  }
  if (applied.files.length === 0) {
    state.renderedChanges = [];
    return [];
  }
  const after = await renderOverlays(plan.affectedOverlays, options);
  const baseline = moved ? before : state.rendered;
  const all = mergeRendered(state.rendered, baseline, after);
  const validated = await validateRendered(all, context.catalog);
  const errors = errorsOf(validated.problems);
  if (errors.length > 0) {
    state.problems.push(...errors);
    throw new StepError(
      'validate',
      'edited overlays',
      `the edited overlays fail ${errors.length === 1 ? 'one check' : `${errors.length} checks`} (listed above); nothing landed`,
    );
  }
  const known = new Set(state.problems.map((problem) => problem.message));
  state.problems.push(...validated.problems.filter((problem) => !known.has(problem.message)));
  state.renderedChanges = after.map((result) => ({
    overlay: result.overlay,
    before: before.find((old) => old.overlay === result.overlay)?.yaml ?? '',
    after: result.yaml ?? '',
  }));
  return [...applied.files];
}

/** Every overlay once: the re-built ones from `after`, else from `baseline`, else the first build. */
function mergeRendered(
  first: readonly RenderedOverlay[],
  baseline: readonly RenderedOverlay[],
  after: readonly RenderedOverlay[],
): RenderedOverlay[] {
  return first.map(
    (result) =>
      after.find((next) => next.overlay === result.overlay) ??
      baseline.find((old) => old.overlay === result.overlay) ??
      result,
  );
}
