/**
 * Step 9 of the pipeline: land the bump through the lander of the `commit` mode. Its `prepare`
 * plans the edit on the head the lander builds on (after a lost race, from that head's own
 * files and rendered output, never replaying the first plan), applies it, re-builds the
 * overlays the edit touches and validates them again, so a commit is only made when the new
 * state builds and validates. The "before" side of the diff is that head's build, so the diff
 * shows only this run's change; an edit that renders nothing different is no change.
 */
import { realpath } from 'node:fs/promises';
import { StepError } from '@kustodian/shared/errors';
import { applyBump, writeFiles } from '../bump/apply.ts';
import { filesWithoutEffect } from '../bump/effect.ts';
import type { BumpPlan } from '../bump/plan.ts';
import type { WorkflowEvent } from '../event.ts';
import type { ActionInputs } from '../inputs.ts';
import { selectLander } from '../land/select.ts';
import type { Checkout, FileChange, LandResult } from '../land/types.ts';
import { commitMessage, runUrl } from '../report/message.ts';
import type { ActionSink } from '../report/sink.ts';
import { sourceTimeOf } from '../report/source-time.ts';
import type { RunBoundaries, RunState } from '../run.ts';
import { errorsOf, type Problem } from '../validate/problems.ts';
import { type RenderedOverlay, type RenderOptions, renderOverlays } from '../validate/render.ts';
import { type CrdCatalog, loadCrdCatalog, validateRendered } from '../validate/validate.ts';
import type { Cloned } from './checkout.ts';
import { planOnHead } from './plan.ts';

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
  /** The workflow's event, read in step 2: when the app commit was made, if it says. */
  readonly event?: WorkflowEvent;
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
      retry: {
        timeoutMs: inputs.retryTimeoutMs,
        ...(inputs.maxAttempts === undefined ? {} : { maxAttempts: inputs.maxAttempts }),
      },
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
  const time = sourceTimeOf(context.event, env.GITHUB_SHA);
  const origin = {
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(time === undefined ? {} : { time }),
    ...(url === undefined ? {} : { runUrl: url }),
  };
  const message = commitMessage(inputs.images, origin, inputs.message);
  const planned: Planned = { head: cloned.head, catalog: context.catalog };
  return lander.land({ message, prepare: (checkout) => prepare(context, checkout, planned) });
}

/**
 * Plans on the head of `checkout` (the plan made on the cloned head, else a new one), applies
 * the edit, re-builds the overlays it touches and validates them with the rest; the files it
 * wrote. Files whose edit changes no rendered output are put back: they are no change.
 */
async function prepare(
  context: LandContext,
  checkout: Checkout,
  planned: Planned,
): Promise<FileChange[]> {
  const { state, inputs } = context;
  const root = await realpath(checkout.dir);
  const options = { ...context.renderOptions, root };
  const head = await headPlan(context, checkout, options, planned);
  const { plan } = head;
  const before = head.rendered.filter((result) => plan.affectedOverlays.includes(result.overlay));
  const applied = await applyBump(root, plan.targets, inputs.allowDowngrade);
  state.changes = new Map(applied.changes);
  state.renderedChanges = [];
  if (applied.problems.length > 0) {
    state.problems.push(...applied.problems);
    throw new StepError(
      'bump',
      'kustomizations',
      `${applied.problems.length} problems; nothing landed`,
    );
  }
  let files = [...applied.files];
  let after = await renderOverlays(plan.affectedOverlays, options);
  const idle = filesWithoutEffect(
    plan.targets,
    files.map((file) => file.path),
    before,
    after,
  );
  if (idle.length > 0) {
    await writeFiles(
      root,
      idle.map((path) => ({ path, content: applied.previous.get(path) ?? '' })),
    );
    for (const path of idle) {
      state.changes.delete(path);
      context.sink.info(`${path}: the edit changes no rendered output; left as it is`);
    }
    files = files.filter((file) => !idle.includes(file.path));
    if (files.length > 0) after = await renderOverlays(plan.affectedOverlays, options);
  }
  if (files.length === 0) return [];
  const validated = await validateRendered(mergeRendered(head.rendered, after), head.catalog);
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
  return files;
}

/** A head as planned on: its overlays' first build, the plan, and the CRDs to validate with. */
interface HeadPlan {
  readonly rendered: readonly RenderedOverlay[];
  readonly plan: BumpPlan;
  readonly catalog: CrdCatalog;
}

/** The head the last plan was made on (its overlays and builds are in the state), and its CRDs. */
interface Planned {
  head: string;
  catalog: CrdCatalog;
}

/**
 * The cloned head's plan, or a new plan on a newer head: after a lost race the files, the
 * overlays and what they render may all have changed, so the plan is always made again. When
 * only kustomization files changed (other runs' bumps, the common race), the overlays they do
 * not reach keep their builds and the CRDs are kept (see `reuse.ts`): a retry stays cheap.
 */
async function headPlan(
  context: LandContext,
  checkout: Checkout,
  options: RenderOptions,
  planned: Planned,
): Promise<HeadPlan> {
  const { state } = context;
  if (checkout.head === context.cloned.head) {
    return { rendered: state.rendered, plan: context.plan, catalog: context.catalog };
  }
  const found: Problem[] = [];
  const started = context.boundaries.clock.now();
  try {
    const changed = await context.cloned.git.changedPaths(planned.head, checkout.head);
    const earlier = { head: { overlays: state.overlays ?? [], rendered: state.rendered }, changed };
    const next = await planOnHead(context.inputs, options, checkout.head, found, earlier);
    context.sink.info(
      `planned the bump again on ${checkout.head.slice(0, 12)} in ${Math.round(context.boundaries.clock.now() - started)} ms (${changed.length} files changed since; ${next.reused ? 'built again only the overlays they reach' : 'built every overlay again'})`,
    );
    state.overlays = next.overlays;
    state.rendered = next.rendered;
    const catalog = next.reused ? planned.catalog : await loadCrdCatalog(options.root);
    planned.head = checkout.head;
    planned.catalog = catalog;
    return { ...next, catalog };
  } finally {
    const known = new Set(state.problems.map((problem) => problem.message));
    state.problems.push(...found.filter((problem) => !known.has(problem.message)));
  }
}

/** Every overlay of the head once: the re-built ones from `after`, the others as first built. */
function mergeRendered(
  first: readonly RenderedOverlay[],
  after: readonly RenderedOverlay[],
): RenderedOverlay[] {
  return first.map((result) => after.find((next) => next.overlay === result.overlay) ?? result);
}
