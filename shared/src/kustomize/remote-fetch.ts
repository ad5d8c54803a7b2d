/**
 * Limits on what a build may fetch from the remotes it is allowed (issue 10): a wall-clock
 * limit per build that fetches remotes, git's low-speed abort, and a size limit on what
 * kustomize writes while fetching. Pure: the environment, the messages and how a finished
 * run is read. `fetch-scratch.ts` makes the private directory and watches its size.
 *
 * kustomize fetches a remote `resources` entry twice over: first as a URL with Go's HTTP
 * client, which has no time limit of its own (only the wall-clock limit stops it), then as a
 * git repository, cloned by the `git` program into a directory under `TMPDIR`.
 */
import { redactUrlsIn } from '../redact.ts';

/** The limits of one build that fetches remotes. */
export interface RemoteFetchLimits {
  /** The whole build's wall-clock limit, in milliseconds. */
  readonly timeoutMs: number;
  /** git aborts a transfer slower than this (`GIT_HTTP_LOW_SPEED_LIMIT`), in bytes per second… */
  readonly lowSpeedBytesPerSecond: number;
  /** …for this long (`GIT_HTTP_LOW_SPEED_TIME`), in seconds. */
  readonly lowSpeedSeconds: number;
  /** The most bytes kustomize may write into its private temporary directory (the clones). */
  readonly maxBytes: number;
}

/**
 * The defaults: 60 s per build, a transfer aborted after 10 s below 1,000 bytes/s (a stalled
 * server trips this first), and 100 MiB of fetched content.
 */
export const defaultRemoteFetchLimits: RemoteFetchLimits = {
  timeoutMs: 60_000,
  lowSpeedBytesPerSecond: 1_000,
  lowSpeedSeconds: 10,
  maxBytes: 100 * 1024 * 1024,
};

/** Which limit stopped a fetch. */
export const fetchLimitKinds = ['time', 'low-speed', 'size'] as const;
export type FetchLimitKind = (typeof fetchLimitKinds)[number];

/** How a build that names remotes fetches them. */
export interface RemoteFetch {
  /** The remote references the overlay names, redacted (`redactRemote`), in the order found. */
  readonly remotes: readonly string[];
  /** `defaultRemoteFetchLimits` when absent. */
  readonly limits?: RemoteFetchLimits;
  /** The network variables (`network-env.ts`) kustomize and its git get. */
  readonly networkEnv?: Readonly<Record<string, string>>;
  /** Where the build's private temporary directory is made; the system's when absent. */
  readonly scratchDir?: string;
}

/**
 * kustomize's environment for a build that fetches: the network variables, its private
 * directory as `TMPDIR` and `XDG_CACHE_HOME` (where the clones and caches go, so their size
 * can be watched), git's low-speed abort, and no prompt for credentials (stdin is closed; a
 * missing credential fails at once).
 */
export function remoteFetchEnv(
  limits: RemoteFetchLimits,
  privateDir: string,
  network: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...network,
    TMPDIR: privateDir,
    XDG_CACHE_HOME: privateDir,
    GIT_HTTP_LOW_SPEED_LIMIT: String(limits.lowSpeedBytesPerSecond),
    GIT_HTTP_LOW_SPEED_TIME: String(limits.lowSpeedSeconds),
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
  };
}

/** The time limit of a build that fetches: the fetch limit, unless the build's own is shorter. */
export function fetchTimeoutMs(limits: RemoteFetchLimits, buildTimeoutMs: number): number {
  return Math.min(limits.timeoutMs, buildTimeoutMs);
}

/** What git prints when its low-speed abort tripped (curl error 28, "Operation too slow"). */
export function lowSpeedTripped(stderr: string): boolean {
  return /Operation too slow|curl 28\b/i.test(stderr);
}

/** The message of a fetch stopped by a limit, naming the (redacted) remotes. */
export function fetchLimitMessage(
  kind: FetchLimitKind,
  remotes: readonly string[],
  limits: RemoteFetchLimits,
): string {
  const what = `fetching ${remotes.length === 1 ? 'remote' : 'remotes'} ${remotes.join(', ')}`;
  switch (kind) {
    case 'time':
      return `kustomize was stopped ${what}: the build did not finish within ${seconds(limits.timeoutMs)} (the remote fetch time limit)`;
    case 'low-speed':
      return `git aborted ${what}: less than ${limits.lowSpeedBytesPerSecond} bytes/s arrived for ${limits.lowSpeedSeconds} s (the remote fetch low-speed limit)`;
    case 'size':
      return `kustomize was stopped ${what}: it wrote more than ${mebibytes(limits.maxBytes)} (the remote fetch size limit)`;
  }
}

/**
 * kustomize's or git's output as a message may show it: URL credentials removed, and the
 * private directory's paths replaced (a clone `<dir>/kustomize-123/base` reads
 * `<remote checkout>/base`), so no temporary path reaches a message.
 */
export function scrubFetchOutput(text: string, privateDirs: readonly string[] = []): string {
  let scrubbed = redactUrlsIn(text);
  for (const dir of privateDirs) {
    const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    scrubbed = scrubbed
      .replace(new RegExp(`${escaped}/kustomize-[^/\\s'":]*`, 'g'), '<remote checkout>')
      .replace(new RegExp(`${escaped}(?=[/\\s'":]|$)`, 'g'), '<fetch directory>');
  }
  return scrubbed;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}
