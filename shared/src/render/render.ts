/**
 * Rendering an Application's path of a checkout into objects, jailed: the path and everything
 * it pulls in must stay inside the checkout, remote resources are off unless enabled, and
 * kustomize runs without plugins, exec functions or Helm, within time and size limits. A
 * kustomization that only lists other kustomizations is built by parts where that is certain to
 * give the same objects (`fan-out.ts`). A directory without a kustomization file is read as
 * plain YAML (recursively, in name order).
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { StepError } from '../errors.ts';
import type { RunCommand } from '../exec.ts';
import { buildOverlay } from '../kustomize/build.ts';
import { jailOverlay } from '../kustomize/jail.ts';
import type { KustomizeCommand } from '../kustomize/locate.ts';
import { findKustomizationFile, readBoundedFile } from '../kustomize/read.ts';
import type { RemoteAllowance } from '../kustomize/remote-allowance.ts';
import { findDuplicates } from '../manifests/location.ts';
import { DEFAULT_PARSE_LIMITS, type ParsedObject, parseManifests } from '../manifests/parse.ts';
import type { RenderCache } from './cache.ts';
import { defaultFanOutConcurrency, renderByParts } from './fan-out.ts';
import { planFanOut } from './fan-out-plan.ts';

/** Limits and tools for rendering. */
export interface RenderOptions {
  readonly kustomize: KustomizeCommand;
  readonly runCommand: RunCommand;
  readonly timeoutMs: number;
  /** Bytes of rendered YAML accepted. */
  readonly maxOutputBytes: number;
  /** Plain YAML files read from a directory without a kustomization. */
  readonly maxFiles: number;
  readonly signal?: AbortSignal;
  /** The network variables (`network-env.ts`) kustomize gets to fetch allowed remotes. */
  readonly networkEnv?: Readonly<Record<string, string>>;
  /** Where builds that fetch remotes get their private directory; the system's when absent. */
  readonly scratchDir?: string;
  /** Builds of earlier renders, reused where the output cannot have changed (`cache.ts`). */
  readonly cache?: RenderCache;
  /**
   * Builds at once when an aggregating kustomization is built by parts (`fan-out.ts`); the
   * cores, at most 4, when absent. 0 builds every kustomization whole.
   */
  readonly fanOutConcurrency?: number;
}

/** The default limits: 2 minutes, 32 MiB of YAML, 5,000 plain files. */
export const defaultRenderLimits = {
  timeoutMs: 120_000,
  maxOutputBytes: 32 * 1024 * 1024,
  maxFiles: 5_000,
} as const;

/** What one render produced. */
export interface Rendered {
  readonly objects: readonly ParsedObject[];
  /** `kustomize` or `plain`. */
  readonly kind: 'kustomize' | 'plain';
  /** How many kustomizations were built separately for it (`fan-out.ts`); absent when one. */
  readonly parts?: number;
}

/**
 * Renders `path` of the checkout at `root`. Every problem (a path escaping the checkout, a jail
 * violation, a kustomize failure, a malformed object) throws a `StepError` with step `render`
 * or `build` naming the path.
 */
export async function render(
  root: string,
  path: string,
  allowRemote: RemoteAllowance,
  options: RenderOptions,
): Promise<Rendered> {
  const realRoot = await realpath(root);
  const dir = await realpath(resolve(realRoot, path)).catch((cause: unknown) => {
    throw new StepError('render', path, 'the path does not exist in the repository', { cause });
  });
  if (dir !== realRoot && !dir.startsWith(realRoot + sep)) {
    throw new StepError('render', path, 'the path resolves outside the repository');
  }
  if (await findKustomizationFile(dir)) {
    // Nothing outside the checkout is read when remotes are refused: the same bytes again.
    const cacheKey = allowRemote.kind === 'none' ? `${realRoot}\u0000${dir}` : undefined;
    const cached = cacheKey === undefined ? undefined : options.cache?.get(cacheKey);
    if (cached !== undefined) {
      return { kind: 'kustomize', objects: JSON.parse(cached) as ParsedObject[] };
    }
    const { violations, remotes } = await jailOverlay({
      root: realRoot,
      overlayDir: dir,
      allowRemote,
      allowRemoteHint: '`spec.allowRemote: [<host>]` on the Application',
    });
    if (violations.length > 0) {
      throw new StepError(
        'render',
        path,
        `refused: ${violations.map((v) => v.message).join('; ')}`,
      );
    }
    if (remotes.length === 0) {
      const byParts = await fanOut(realRoot, dir, path, allowRemote, options);
      if (byParts !== undefined) {
        if (cacheKey !== undefined) options.cache?.set(cacheKey, JSON.stringify(byParts.objects));
        return { kind: 'kustomize', ...byParts };
      }
    }
    const built = await buildOverlay({
      kustomize: options.kustomize,
      overlayDir: dir,
      root: realRoot,
      runCommand: options.runCommand,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      loadRestrictor: 'rootOnly',
      ...(options.signal ? { signal: options.signal } : {}),
      remoteFetch: {
        remotes,
        ...(options.networkEnv === undefined ? {} : { networkEnv: options.networkEnv }),
        ...(options.scratchDir === undefined ? {} : { scratchDir: options.scratchDir }),
      },
    });
    const objects = parseManifests(built.yaml, path, limits(options));
    if (cacheKey !== undefined) options.cache?.set(cacheKey, JSON.stringify(objects));
    return { kind: 'kustomize', objects };
  }
  const files = await plainFiles(realRoot, dir, options.maxFiles);
  const objects: ParsedObject[] = [];
  let bytes = 0;
  for (const file of files) {
    const name = relative(realRoot, file).split(sep).join('/');
    const read = await readBoundedFile(file, options.maxOutputBytes - bytes);
    if ('problem' in read) throw new StepError('render', name, read.problem);
    bytes += Buffer.byteLength(read.text);
    objects.push(...parseManifests(read.text, name, limits(options)));
  }
  assertUnique(objects, path);
  return { kind: 'plain', objects };
}

/** The render by parts of an aggregating kustomization, when it is certain to match one build. */
async function fanOut(
  root: string,
  dir: string,
  path: string,
  allowRemote: RemoteAllowance,
  options: RenderOptions,
): Promise<{ objects: ParsedObject[]; parts: number } | undefined> {
  const concurrency = options.fanOutConcurrency ?? defaultFanOutConcurrency();
  if (concurrency < 1) return undefined;
  const plan = await planFanOut(root, dir, {
    maxFiles: options.maxFiles,
    maxFileBytes: options.maxOutputBytes,
  });
  if (plan === undefined) return undefined;
  const objects = await renderByParts(root, path, plan, {
    kustomize: options.kustomize,
    runCommand: options.runCommand,
    timeoutMs: options.timeoutMs,
    maxOutputBytes: options.maxOutputBytes,
    parseLimits: limits(options),
    concurrency,
    ...(options.signal ? { signal: options.signal } : {}),
    // Parts read nothing outside the checkout only when remotes are refused.
    ...(allowRemote.kind === 'none' && options.cache ? { cache: options.cache } : {}),
  });
  return objects === undefined ? undefined : { objects, parts: plan.parts.length };
}

function limits(options: RenderOptions) {
  return { ...DEFAULT_PARSE_LIMITS, maxBytes: options.maxOutputBytes };
}

/** YAML and JSON files under `dir`, sorted, refusing symlinks that leave the checkout. */
async function plainFiles(root: string, dir: string, maxFiles: number): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      const info = await lstat(full);
      let target = full;
      if (info.isSymbolicLink()) {
        target = await realpath(full).catch(() => '');
        if (target === '' || !(target === root || target.startsWith(root + sep))) {
          throw new StepError(
            'render',
            relative(root, full),
            'a symlink points outside the repository',
          );
        }
      }
      const stats = info.isSymbolicLink() ? await lstat(target) : info;
      if (stats.isDirectory()) await walk(target);
      else if (stats.isFile() && /\.(ya?ml|json)$/i.test(entry.name)) found.push(full);
      if (found.length > maxFiles) {
        throw new StepError('render', relative(root, dir) || '.', `more than ${maxFiles} files`);
      }
    }
  };
  await walk(dir);
  return found;
}

/** Duplicates across plain files (within one file the parser already rejects them). */
function assertUnique(objects: readonly ParsedObject[], path: string): void {
  const duplicates = findDuplicates(objects);
  if (duplicates.length > 0) throw new StepError('render', path, duplicates.join('; '));
}
