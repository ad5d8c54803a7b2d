/**
 * Building overlays with kustomize, as a separate process with a time limit and bounded output.
 *
 * The build never enables plugins, exec or container functions, or Helm: with those, kustomize
 * runs programs named by the repository (kustomize issue #4288). A failed build is a
 * `KustomizeBuildError`; `buildOverlays` turns those into per-overlay data.
 */
import { tmpdir } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import pLimit from 'p-limit';
import { StepError } from '../errors.ts';
import {
  CommandAbortedError,
  OutputLimitError,
  type RunCommand,
  type RunResult,
} from '../run-command.ts';
import { relativeToRoot } from './checkout-paths.ts';
import { type FetchScratch, openFetchScratch } from './fetch-scratch.ts';
import type { KustomizeCommand } from './locate.ts';
import {
  defaultRemoteFetchLimits,
  type FetchLimitKind,
  fetchLimitMessage,
  fetchTimeoutMs,
  lowSpeedTripped,
  type RemoteFetch,
  type RemoteFetchLimits,
  remoteFetchEnv,
  scrubFetchOutput,
} from './remote-fetch.ts';

/** kustomize's `--load-restrictor`: `rootOnly` keeps data files inside each kustomization. */
export const loadRestrictors = {
  rootOnly: 'LoadRestrictionsRootOnly',
  none: 'LoadRestrictionsNone',
} as const;
export type LoadRestrictor = keyof typeof loadRestrictors;

/** Why a build failed; the `remote-` ones are the limits of `remote-fetch.ts`. */
export const buildFailureReasons = [
  'exit',
  'timeout',
  'output-limit',
  'remote-time-limit',
  'remote-low-speed',
  'remote-size-limit',
] as const;
export type BuildFailureReason = (typeof buildFailureReasons)[number];

/** How much of kustomize's stderr a build error keeps: its end, where the complaint is. */
export const stderrTailLimits = { lines: 20, chars: 4096 } as const;

/** What one build needs. */
export interface BuildOverlayOptions {
  readonly kustomize: KustomizeCommand;
  /** The overlay directory, resolved against `root` when relative. */
  readonly overlayDir: string;
  /** Overlays are named relative to it in errors; the process's directory when absent. */
  readonly root?: string;
  readonly runCommand: RunCommand;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** `rootOnly` when absent. */
  readonly loadRestrictor?: LoadRestrictor;
  /** Variables for kustomize's environment, on top of `PATH` and `HOME`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /**
   * The allowed remotes the overlay names (the jail's `remotes`) and how to fetch them; with
   * remotes, the build runs within the fetch limits, in a private temporary directory.
   */
  readonly remoteFetch?: RemoteFetch;
  /** Not offered: plugins run programs named by the repository. */
  readonly enableAlphaPlugins?: never;
  /** Not offered: Helm inflation runs `helm` on charts named by the repository. */
  readonly enableHelm?: never;
}

/** A successful build. */
export interface BuiltOverlay {
  readonly yaml: string;
  readonly durationMs: number;
}

/** What went wrong in a build, for `KustomizeBuildError`. */
export interface BuildFailure {
  readonly reason: BuildFailureReason;
  readonly exitCode: number | undefined;
  readonly stderrTail: string;
  readonly message: string;
}

/** A build that failed: kustomize's exit, a timeout, or too much output. */
export class KustomizeBuildError extends StepError {
  /** The overlay, relative to the caller's root. */
  readonly overlay: string;
  readonly reason: BuildFailureReason;
  /** kustomize's exit code; `undefined` when it was stopped. */
  readonly exitCode: number | undefined;
  /** The end of kustomize's stderr (see `stderrTailLimits`). */
  readonly stderrTail: string;

  constructor(overlay: string, failure: BuildFailure, options?: { cause?: unknown }) {
    super('build', overlay, failure.message, options);
    this.name = 'KustomizeBuildError';
    this.overlay = overlay;
    this.reason = failure.reason;
    this.exitCode = failure.exitCode;
    this.stderrTail = failure.stderrTail;
  }
}

/**
 * Go runtime settings for kustomize processes that run `concurrency` at a time on `cores` cores.
 * A build is a short-lived process with a small heap, where Go's default collector (GOGC=100)
 * spends about a sixth of the CPU; at 400 it collects a quarter as often, and `GOMEMLIMIT`
 * still makes it collect before a large build grows past 512 MiB. Each process gets its share
 * of the cores (`GOMAXPROCS`), so parallel builds do not contend with each other's threads.
 */
export function parallelBuildEnv(concurrency: number, cores: number): Record<string, string> {
  const share = Math.max(1, Math.floor(cores / Math.max(1, concurrency)));
  return { GOGC: '400', GOMEMLIMIT: '512MiB', GOMAXPROCS: String(share) };
}

/** Runs one build; throws `KustomizeBuildError` when it fails (and the runner's errors as they are). */
export async function buildOverlay(options: BuildOverlayOptions): Promise<BuiltOverlay> {
  const fetch = options.remoteFetch;
  if (fetch === undefined || fetch.remotes.length === 0) return runBuild(options, undefined);
  const limits = fetch.limits ?? defaultRemoteFetchLimits;
  const scratch = await openFetchScratch(fetch.scratchDir ?? tmpdir(), limits.maxBytes);
  try {
    return await runBuild(options, {
      remotes: fetch.remotes,
      limits,
      scratch,
      network: fetch.networkEnv ?? {},
    });
  } finally {
    await scratch.close();
  }
}

/** A build that fetches remotes: what they are, its limits and its private directory. */
interface Fetching {
  readonly remotes: readonly string[];
  readonly limits: RemoteFetchLimits;
  readonly scratch: FetchScratch;
  readonly network: Readonly<Record<string, string>>;
}

async function runBuild(
  options: BuildOverlayOptions,
  fetching: Fetching | undefined,
): Promise<BuiltOverlay> {
  const root = resolve(options.root ?? '.');
  // Absolute, so that a directory named like a flag (`-o`) is never read as one.
  const dir = resolve(root, options.overlayDir);
  const overlay = overlayName(root, dir);
  const args = buildArgs(options.kustomize, dir, options.loadRestrictor ?? 'rootOnly');
  const timeoutMs =
    fetching === undefined ? options.timeoutMs : fetchTimeoutMs(fetching.limits, options.timeoutMs);
  const env = {
    ...options.env,
    ...(fetching === undefined
      ? {}
      : remoteFetchEnv(fetching.limits, fetching.scratch.dir, fetching.network)),
  };
  const signals = [options.signal, fetching?.scratch.signal].filter((s) => s !== undefined);
  const started = performance.now();
  let result: RunResult;
  try {
    result = await options.runCommand(options.kustomize.file, args, {
      timeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      ...(Object.keys(env).length === 0 ? {} : { env }),
      ...(signals.length === 0 ? {} : { signal: AbortSignal.any(signals) }),
    });
  } catch (thrown) {
    if (thrown instanceof CommandAbortedError && fetching?.scratch.exceeded()) {
      throw fetchLimitError(overlay, 'size', fetching, '', thrown);
    }
    if (!(thrown instanceof OutputLimitError)) throw thrown;
    const message = `kustomize ${thrown.stream} exceeded the limit of ${thrown.limitBytes} bytes (maxOutputBytes)`;
    const failure = {
      reason: 'output-limit',
      exitCode: undefined,
      stderrTail: '',
      message,
    } as const;
    throw new KustomizeBuildError(overlay, failure, { cause: thrown });
  }
  // kustomize names absolute paths; messages name them relative to the repository, without
  // credentials in URLs and without the private directory of the fetches.
  const privateDirs = fetching === undefined ? [] : [fetching.scratch.dir];
  const stderr = relativeToRoot(scrubFetchOutput(result.stderr, privateDirs), root);
  if (fetching !== undefined && result.exitCode !== 0) {
    const kind = fetchLimitOf(result, stderr, timeoutMs, fetching.limits);
    if (kind !== undefined) throw fetchLimitError(overlay, kind, fetching, tailOf(stderr));
  }
  const failure = failureOf({ ...result, stderr }, timeoutMs);
  if (failure !== undefined) throw new KustomizeBuildError(overlay, failure);
  return { yaml: result.stdout, durationMs: Math.round(performance.now() - started) };
}

/** Which fetch limit ended a failed run, if one did. */
function fetchLimitOf(
  result: RunResult,
  stderr: string,
  timeoutMs: number,
  limits: RemoteFetchLimits,
): FetchLimitKind | undefined {
  if (result.timedOut) return timeoutMs === limits.timeoutMs ? 'time' : undefined;
  return lowSpeedTripped(stderr) ? 'low-speed' : undefined;
}

const fetchReasons = {
  time: 'remote-time-limit',
  'low-speed': 'remote-low-speed',
  size: 'remote-size-limit',
} as const satisfies Record<FetchLimitKind, BuildFailureReason>;

function fetchLimitError(
  overlay: string,
  kind: FetchLimitKind,
  fetching: Fetching,
  stderrTail: string,
  cause?: unknown,
): KustomizeBuildError {
  const limit = fetchLimitMessage(kind, fetching.remotes, fetching.limits);
  const message = kind === 'low-speed' && stderrTail !== '' ? `${limit}: ${stderrTail}` : limit;
  const failure = { reason: fetchReasons[kind], exitCode: undefined, stderrTail, message };
  return new KustomizeBuildError(overlay, failure, cause === undefined ? undefined : { cause });
}

/** kustomize's arguments for one build: never a plugin, exec, container or Helm flag. */
export function buildArgs(
  kustomize: KustomizeCommand,
  dir: string,
  restrictor: LoadRestrictor,
): string[] {
  return [...kustomize.argsPrefix, dir, '--load-restrictor', loadRestrictors[restrictor]];
}

/** Why a finished run is a failed build, or `undefined` when it built. */
export function failureOf(result: RunResult, timeoutMs: number): BuildFailure | undefined {
  const stderrTail = tailOf(result.stderr);
  if (result.timedOut) {
    const message = `kustomize did not finish within ${timeoutMs} ms (timeoutMs) and was stopped`;
    return { reason: 'timeout', exitCode: undefined, stderrTail, message };
  }
  if (result.exitCode === 0) return undefined;
  const message = `kustomize exited ${result.exitCode ?? 'on a signal'}: ${stderrTail || '(no stderr)'}`;
  return { reason: 'exit', exitCode: result.exitCode, stderrTail, message };
}

/** The overlay's name in messages: relative to root with `/`, or absolute when outside it. */
export function overlayName(root: string, dir: string): string {
  const rel = relative(root, dir);
  if (rel === '') return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return dir;
  return rel.split(sep).join('/');
}

/** The last `lines` lines of `text`, at most `chars` characters, trimmed. */
export function tailOf(text: string, limits = stderrTailLimits): string {
  const lines = text.trimEnd().split('\n');
  const tail = lines.slice(-limits.lines).join('\n');
  return tail.length > limits.chars ? `...${tail.slice(-limits.chars)}` : tail;
}

/** How one overlay of many ended. */
export const buildOutcomes = ['built', 'failed'] as const;
export type BuildOutcome = (typeof buildOutcomes)[number];

/** One overlay's result in `buildOverlays`. */
export type OverlayBuildResult =
  | {
      readonly overlayDir: string;
      readonly outcome: 'built';
      readonly yaml: string;
      readonly durationMs: number;
    }
  | {
      readonly overlayDir: string;
      readonly outcome: 'failed';
      readonly error: KustomizeBuildError;
    };

/** What `buildOverlays` needs: the options of one build, without its directory, and a concurrency. */
export type BuildOverlaysOptions = Omit<BuildOverlayOptions, 'overlayDir'> & {
  readonly concurrency: number;
};

/**
 * Builds many overlays, at most `concurrency` at once. Results come back in input order; a
 * failed build is a `failed` result, never a throw. Errors that stop every build (kustomize
 * cannot start, the run was aborted) are thrown.
 */
export async function buildOverlays(
  overlayDirs: readonly string[],
  options: BuildOverlaysOptions,
): Promise<OverlayBuildResult[]> {
  const { concurrency, ...buildOptions } = options;
  const limit = pLimit(concurrency);
  return Promise.all(
    overlayDirs.map((overlayDir) =>
      limit(async (): Promise<OverlayBuildResult> => {
        try {
          const built = await buildOverlay({ ...buildOptions, overlayDir });
          return { overlayDir, outcome: 'built', ...built };
        } catch (thrown) {
          if (thrown instanceof KustomizeBuildError)
            return { overlayDir, outcome: 'failed', error: thrown };
          limit.clearQueue(); // the same failure would stop every build still waiting
          throw thrown;
        }
      }),
    ),
  );
}
