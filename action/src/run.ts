/**
 * The action, as one pipeline: parse inputs → refuse unsafe events → locate kustomize and clone
 * (at once) → discover overlays → build them all → validate → plan the bump → land it (re-applying,
 * re-building and re-validating on the head it lands on) → rendered diff → outputs, summary and
 * annotations. Every boundary (inputs, environment, processes, git, the GitHub landers, the
 * clock, the output sink) is a parameter, so tests run it in-process as well as bundled.
 *
 * Expected failures are collected as problems and reported together at the end; `run` returns
 * them instead of failing the step, which only `index.ts` does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageOf, StepError } from '@kustodian/shared/errors';
import type { RunCommand } from '@kustodian/shared/exec';
import type { ImageChange } from '@kustodian/shared/images/kustomization';
import { type LocatedKustomize, locateKustomize } from '@kustodian/shared/kustomize/locate';
import { networkEnv } from '@kustodian/shared/network-env';
import type { Clock } from './clock.ts';
import type { Git } from './git/git.ts';
import { type ActionInputs, inputSecrets, parseInputs, type RawInputs } from './inputs.ts';
import type { GitHubLanderFactory } from './land/select.ts';
import type { LandResult } from './land/types.ts';
import type { RenderedChange } from './report/diff.ts';
import { type ActionSink, redacting } from './report/sink.ts';
import { checkout, type GitFactory } from './steps/checkout.ts';
import { refuseUnsafeEvent } from './steps/event.ts';
import { error, errorsOf, type Problem } from './validate/problems.ts';
import type { RenderedOverlay } from './validate/render.ts';
import { pinnedKubernetesVersion } from './validate/served.ts';

/** Everything `run` talks to. */
export interface RunBoundaries {
  /** The raw inputs, by `action.yml` name. */
  readonly inputs: RawInputs;
  /** The runner's environment (`GITHUB_*`, `RUNNER_TEMP`, `PATH`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly runCommand: RunCommand;
  readonly createGit: GitFactory;
  readonly github: GitHubLanderFactory;
  readonly clock: Clock;
  readonly sink: ActionSink;
}

/** How the run ended: the failures to report (empty on success). */
export interface RunResult {
  readonly failures: readonly string[];
}

/** Runs the action once. Never throws for expected failures; returns them. */
export async function run(boundaries: RunBoundaries): Promise<RunResult> {
  const secrets = inputSecrets(boundaries.inputs);
  const sink = redacting(boundaries.sink, secrets);
  const problems: Problem[] = [];
  const started = boundaries.clock.now();
  let workdir: string | undefined;
  const state: RunState = { problems, changes: new Map(), rendered: [], renderedChanges: [] };
  try {
    // 1. Parse the inputs, once.
    const { GITHUB_REPOSITORY: repository, GITHUB_SERVER_URL: server } = boundaries.env;
    const inputs = parseInputs(boundaries.inputs, repository ?? '', server);
    state.inputs = inputs;
    checkKubernetesVersion(inputs, problems);
    // 2. Refuse to write from events that run untrusted code with write access.
    const event = await refuseUnsafeEvent(inputs.commit, boundaries.env);
    // 3. Locate kustomize and report its version, and 4. clone the config repository: at once,
    //    since neither needs the other; a failure is reported in that order, once both ended.
    //    Meanwhile, load the steps after them (see `later-steps.ts`).
    workdir = await mkdtemp(join(boundaries.env.RUNNER_TEMP || tmpdir(), 'kustodian-'));
    const [located, cloning, loading] = await Promise.allSettled([
      locateKustomize({ pathEnv: boundaries.env.PATH ?? '', runCommand: boundaries.runCommand }),
      checkout(inputs, boundaries, join(workdir, 'repo'), secrets),
      laterSteps(),
    ]);
    if (loading.status === 'rejected') throw loading.reason;
    const { checkCheckout, landBump, planFromRendered } = loading.value;
    if (located.status === 'rejected') throw located.reason;
    state.kustomize = located.value;
    sink.info(`kustomize ${state.kustomize.version} at ${state.kustomize.command.file}`);
    if (cloning.status === 'rejected') throw cloning.reason;
    const cloned = cloning.value;
    state.git = cloned.git;
    state.branch = cloned.branch;
    state.head = cloned.head;
    sink.info(`cloned ${cloned.shownUrl} at ${cloned.branch} (${cloned.head.slice(0, 12)})`);
    // 5.-7. Discover the overlays, build every one before the edit (a bounded number at once)
    //    while finding the repository's CRDs, and validate what they render.
    const renderOptions = {
      root: cloned.root,
      kustomize: state.kustomize.command,
      runCommand: boundaries.runCommand,
      concurrency: inputs.concurrency,
      allowRemote: inputs.allowRemote,
      networkEnv: networkEnv(boundaries.env),
      scratchDir: workdir,
    };
    const checked = await checkCheckout({
      ...renderOptions,
      include: inputs.overlays,
      until: 'validate',
      info: (line) => sink.info(line),
      now: () => boundaries.clock.now(),
      started,
    });
    state.overlays = checked.overlays;
    state.rendered = checked.rendered;
    const { catalog, validated } = checked;
    if (!catalog || !validated) throw new Error('validation did not run');
    problems.push(...validated.problems);
    if (inputs.images.length === 0 || errorsOf(problems).length > 0) {
      state.outcome =
        inputs.images.length === 0
          ? 'validated; no images to update'
          : 'not landed: validation failed';
      return await finish(state, boundaries, sink);
    }
    // 8. Plan the bump: which kustomization files receive which update.
    const plan = await planFromRendered(cloned.root, inputs, state.rendered, validated.objects);
    problems.push(...plan.problems);
    if (errorsOf(problems).length > 0) {
      state.outcome = 'not landed: the bump could not be planned';
      return await finish(state, boundaries, sink);
    }
    // 9. Land it; `prepare` re-applies the edit on the head it builds on, then re-builds and
    //    re-validates the changed overlays, so nothing lands that does not build.
    state.landingFrom = problems.length;
    const landed = await landBump({
      inputs,
      boundaries,
      sink,
      plan,
      cloned,
      renderOptions,
      catalog,
      state,
      ...(event === undefined ? {} : { event }),
    });
    state.result = landed;
    state.outcome = describeOutcome(landed);
  } catch (thrown) {
    problems.push(error(stepOf(thrown), messageOf(thrown)));
    state.outcome ??= 'failed';
  } finally {
    if (workdir !== undefined) await rm(workdir, { recursive: true, force: true }).catch(() => {});
  }
  return finish(state, boundaries, sink);
}

/** What the pipeline has learnt so far, for the report. */
export interface RunState {
  inputs?: ActionInputs;
  kustomize?: LocatedKustomize;
  git?: Git;
  branch?: string;
  /** The commit cloned, built and validated. */
  head?: string;
  overlays?: readonly string[];
  rendered: readonly RenderedOverlay[];
  renderedChanges: RenderedChange[];
  changes: Map<string, readonly ImageChange[]>;
  problems: Problem[];
  /**
   * How many of `problems` were found before landing began, on `head`; those after it were
   * found on the tree a lander built (a newer head, or the edit itself).
   */
  landingFrom?: number;
  result?: LandResult;
  outcome?: string;
}

/**
 * 10. Outputs, summary and annotations; the failures to report. The outcome is decided by now:
 * what reporting cannot write is a warning, except the outputs (see `report/report.ts`).
 */
async function finish(
  state: RunState,
  boundaries: RunBoundaries,
  sink: ActionSink,
): Promise<RunResult> {
  const { reportRun } = await laterSteps();
  await reportRun(state, boundaries.env, sink);
  return { failures: errorsOf(state.problems).map((problem) => problem.message) };
}

/** The steps after the clone; the module system loads them once, whoever asks first. */
function laterSteps(): Promise<typeof import('./later-steps.ts')> {
  return import('./later-steps.ts');
}

function checkKubernetesVersion(inputs: ActionInputs, problems: Problem[]): void {
  const pinned = pinnedKubernetesVersion.replace(/^v/, '').split('.').slice(0, 2).join('.');
  if (inputs.kubernetesVersion !== pinned) {
    problems.push(
      error(
        'inputs',
        `kubernetes-version: this release of the action validates against Kubernetes ${pinned} only, got "${inputs.kubernetesVersion}"`,
      ),
    );
  }
}

function describeOutcome(result: LandResult): string {
  const attempts = result.attempts === 1 ? '' : ` after ${result.attempts} attempts`;
  switch (result.outcome) {
    case 'committed':
      return `committed ${result.commitSha?.slice(0, 12)}${attempts}`;
    case 'unchanged':
      return 'no change: the branch already has these images';
    case 'dry-run':
      return `not landed (commit: none): would change ${result.changedPaths.join(', ')}`;
    default:
      return `${result.outcome} ${result.pullRequestUrl ?? ''}${attempts}`.trim();
  }
}

function stepOf(thrown: unknown): Problem['check'] {
  if (!(thrown instanceof StepError)) return 'land';
  const known: Record<string, Problem['check']> = {
    inputs: 'inputs',
    event: 'event',
    build: 'build',
    validate: 'schema',
    bump: 'bump',
  };
  return known[thrown.step] ?? 'land';
}
