/**
 * Rendering overlays: the build jail first (nothing that leaves the checkout, fetches remote
 * content or runs a program), then `kustomize build`, many at once within a bound. A jailed or
 * failed overlay is a result with problems, not a throw.
 */

import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { RunCommand } from '@kustodian/shared/exec';
import {
  buildOverlay,
  KustomizeBuildError,
  parallelBuildEnv,
} from '@kustodian/shared/kustomize/build';
import { jailOverlay } from '@kustodian/shared/kustomize/jail';
import {
  blockingJailReads,
  type JailReads,
  memoizedJailReads,
} from '@kustodian/shared/kustomize/jail-reads';
import type { JailViolation } from '@kustodian/shared/kustomize/jail-rules';
import { kustomizationFileNames } from '@kustodian/shared/kustomize/kustomization';
import type { KustomizeCommand } from '@kustodian/shared/kustomize/locate';
import { defaultMaxFileBytes, inside, posixRelative } from '@kustodian/shared/kustomize/read';
import { noRemote, type RemoteAllowance } from '@kustodian/shared/kustomize/remote-allowance';
import { fieldLine, parseFieldPath } from '@kustodian/shared/manifests/field-line';
import { type ParsedOutput, parseOutput } from './parsed.ts';
import { error, type Problem } from './problems.ts';

/** One overlay's rendering: its YAML when it built, its problems when it did not. */
export interface RenderedOverlay {
  /** Relative to the repository root. */
  readonly overlay: string;
  /** Its kustomization file, relative to the repository root. */
  readonly file: string;
  readonly yaml?: string;
  /** `yaml`, parsed right after the build. */
  readonly parsed?: ParsedOutput;
  readonly problems: readonly Problem[];
}

/** What rendering needs. */
export interface RenderOptions {
  readonly root: string;
  readonly kustomize: KustomizeCommand;
  readonly runCommand: RunCommand;
  readonly concurrency: number;
  /** One build's time limit; 5 minutes when absent. */
  readonly timeoutMs?: number;
  /** The cores the builds share; the machine's when absent. */
  readonly cores?: number;
  /** The hosts remote resources may come from (the `allow-remote` input); none when absent. */
  readonly allowRemote?: RemoteAllowance;
  /** The runner's network variables (`network-env.ts`) for kustomize's fetches of remotes. */
  readonly networkEnv?: Readonly<Record<string, string>>;
  /** Where builds that fetch remotes get their private directory; the system's when absent. */
  readonly scratchDir?: string;
  /**
   * The jail's reads of the checkout as it is now, shared with the overlay search that found
   * `overlays` (see `checkout.ts`); new memoized blocking reads when absent.
   */
  readonly reads?: JailReads;
  /** Gets each overlay's rendering as soon as it is done, while others still build. */
  readonly onRendered?: (result: RenderedOverlay) => void;
}

/**
 * Renders `overlays` (relative to `options.root`), in input order. Each overlay goes through
 * the jail and then kustomize within one slot of the bound, so the jail walk of one overlay
 * overlaps with the builds of others. The jail reads each file of the checkout once for all
 * overlays (they share bases and components), so call it again after the files change (and
 * pass no `reads` from before the change).
 */
export async function renderOverlays(
  overlays: readonly string[],
  options: RenderOptions,
): Promise<RenderedOverlay[]> {
  const results: RenderedOverlay[] = new Array(overlays.length);
  const reads = options.reads ?? checkoutReads();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < overlays.length; index = next++) {
      const result = await renderOne(overlays[index] ?? '', options, reads);
      results[index] = result;
      options.onRendered?.(result);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, overlays.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/**
 * Reads of a checkout for one round of checks: each answer once, with blocking calls, since
 * the action has nothing else to serve while it walks and those are the cheap ones.
 */
export function checkoutReads(): JailReads {
  return memoizedJailReads(blockingJailReads);
}

async function renderOne(
  overlay: string,
  options: RenderOptions,
  reads: JailReads,
): Promise<RenderedOverlay> {
  const file = await kustomizationFile(options.root, overlay, reads);
  const { problems: jailed, remotes } = await jailProblems(overlay, options, reads);
  if (jailed.length > 0) return { overlay, file, problems: jailed };
  try {
    const built = await buildOverlay({
      kustomize: options.kustomize,
      overlayDir: overlay,
      root: options.root,
      runCommand: options.runCommand,
      env: parallelBuildEnv(options.concurrency, options.cores ?? availableParallelism()),
      timeoutMs: options.timeoutMs ?? 300_000,
      maxOutputBytes: 64 * 1024 * 1024,
      remoteFetch: {
        remotes,
        ...(options.networkEnv === undefined ? {} : { networkEnv: options.networkEnv }),
        ...(options.scratchDir === undefined ? {} : { scratchDir: options.scratchDir }),
      },
    });
    return {
      overlay,
      file,
      yaml: built.yaml,
      parsed: parseOutput(built.yaml, overlay),
      problems: [],
    };
  } catch (thrown) {
    if (!(thrown instanceof KustomizeBuildError)) throw thrown;
    return { overlay, file, problems: [error('build', thrown.message, { overlay, file })] };
  }
}

async function jailProblems(
  overlay: string,
  options: RenderOptions,
  reads: JailReads,
): Promise<{ problems: Problem[]; remotes: string[] }> {
  const root = options.root;
  const allowRemote = options.allowRemote ?? noRemote;
  const { violations, remotes } = await jailOverlay({
    root,
    overlayDir: overlay,
    reads,
    allowRemote,
  });
  const problems = await Promise.all(
    violations.map(async (violation) => {
      const field = violation.field === '' ? '' : ` ${violation.field}`;
      const message = `build ${overlay}: ${violation.file}${field} "${violation.value}": ${violation.message}`;
      const line = await violationLine(root, violation, reads);
      return error('jail', message, {
        overlay,
        file: violation.file,
        ...(line === undefined ? {} : { line }),
      });
    }),
  );
  return { problems, remotes };
}

/**
 * The line of the violation's field when it sits in a kustomization file of the checkout
 * (`resources[2]`, `helmCharts`); a plugin file's violation names the field of the
 * kustomization that refers to it, and a symlink is not read, so those have none.
 */
async function violationLine(
  root: string,
  violation: JailViolation,
  reads: JailReads,
): Promise<number | undefined> {
  const named = (kustomizationFileNames as readonly string[]).includes(basename(violation.file));
  const path = parseFieldPath(violation.field);
  if (!named || path === undefined || violation.kind === 'symlink-outside-root') return undefined;
  const realRoot = await reads.realpath(root);
  const real = await reads.realpathOrUndefined(join(realRoot, violation.file));
  if (real === undefined || !inside(realRoot, real)) return undefined;
  const read = await reads.readBoundedFile(real, defaultMaxFileBytes);
  return 'text' in read ? fieldLine(read.text, path) : undefined;
}

async function kustomizationFile(root: string, overlay: string, reads: JailReads): Promise<string> {
  const found = await reads.findKustomizationFile(join(root, overlay));
  return found === undefined ? overlay : posixRelative(root, found);
}
