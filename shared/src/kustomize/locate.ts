/**
 * Finding a kustomize to run and asking it its version.
 *
 * The order: an explicit path when the user gave one; else `kustomize` on `PATH`; else
 * `kubectl` on `PATH`, run as `kubectl kustomize`. `PATH` is an argument, never read from the
 * process environment here, and whether a file is executable is an injectable check, so the
 * lookup is testable without touching the machine's `PATH`.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { StepError } from '../errors.ts';
import type { RunCommand } from '../exec.ts';
import { parseKubectlKustomizeVersion, parseKustomizeVersion } from './version.ts';

/** The programs that can build an overlay. */
export const kustomizeTools = ['kustomize', 'kubectl'] as const;
export type KustomizeTool = (typeof kustomizeTools)[number];

/** How to run a build: `file ...argsPrefix <overlay> [flags]`. */
export interface KustomizeCommand {
  readonly file: string;
  /** `['build']` for kustomize, `['kustomize']` for kubectl. */
  readonly argsPrefix: readonly string[];
  readonly tool: KustomizeTool;
}

/** Tells whether `path` is a file this process may execute. */
export type IsExecutable = (path: string) => Promise<boolean>;

/** Where to look for kustomize. */
export interface FindKustomizeOptions {
  /** A path (or a bare name looked up on `pathEnv`) the user chose; wins over the search. */
  readonly explicitPath?: string;
  /** The `PATH` to search, `:`-separated (`;` on Windows). */
  readonly pathEnv: string;
  readonly isExecutable?: IsExecutable;
}

const installHint =
  'install kustomize with `go install sigs.k8s.io/kustomize/kustomize/v5@latest`, ' +
  'or download a release binary from https://github.com/kubernetes-sigs/kustomize/releases, ' +
  'or install kubectl, which runs kustomize as `kubectl kustomize`';

/** The command for a kustomize or kubectl binary, by its file name. */
export function kustomizeCommandFor(file: string): KustomizeCommand {
  const tool = /^kubectl(\.exe)?$/i.test(basename(file)) ? 'kubectl' : 'kustomize';
  return { file, argsPrefix: tool === 'kubectl' ? ['kustomize'] : ['build'], tool };
}

/** The real check: a regular file with execute permission. */
export const isExecutableFile: IsExecutable = async (path) => {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

/**
 * The first executable `name` in the directories of `pathEnv`. Empty and relative entries are
 * skipped: they mean "the current directory", which in a checkout is repository content.
 */
export async function findOnPath(
  name: string,
  pathEnv: string,
  isExecutable: IsExecutable = isExecutableFile,
): Promise<string | undefined> {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Finds the kustomize to run, or throws a `StepError` (step `locate`) saying how to install one. */
export async function findKustomize(options: FindKustomizeOptions): Promise<KustomizeCommand> {
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const explicit = options.explicitPath;
  if (explicit !== undefined && explicit !== '') {
    const resolved = explicit.includes('/')
      ? explicit
      : await findOnPath(explicit, options.pathEnv, isExecutable);
    if (resolved !== undefined && (await isExecutable(resolved))) {
      return kustomizeCommandFor(resolved);
    }
    throw new StepError(
      'locate',
      'kustomize',
      `${explicit} is not an executable file; ${installHint}`,
    );
  }
  for (const tool of kustomizeTools) {
    const found = await findOnPath(tool, options.pathEnv, isExecutable);
    if (found !== undefined) return kustomizeCommandFor(found);
  }
  throw new StepError(
    'locate',
    'kustomize',
    `neither kustomize nor kubectl is on PATH; ${installHint}`,
  );
}

/**
 * Asks the command which kustomize version it runs: `kustomize version`, or the
 * `kustomizeVersion` of `kubectl version --client -o json`. Throws a `StepError` (step
 * `locate`) when the command fails or prints no version.
 */
export async function kustomizeVersion(
  command: KustomizeCommand,
  runCommand: RunCommand,
  timeoutMs = 30_000,
): Promise<string> {
  const args = command.tool === 'kubectl' ? ['version', '--client', '-o', 'json'] : ['version'];
  const result = await runCommand(command.file, args, { timeoutMs, maxOutputBytes: 1024 * 1024 });
  const shown = `${command.file} ${args.join(' ')}`;
  if (result.timedOut || result.exitCode !== 0) {
    const how = result.timedOut
      ? `did not finish within ${timeoutMs} ms`
      : `exited ${result.exitCode}`;
    throw new StepError(
      'locate',
      'kustomize',
      `${shown} ${how}: ${result.stderr.trim().slice(-500)}`,
    );
  }
  const version =
    command.tool === 'kubectl'
      ? parseKubectlKustomizeVersion(result.stdout)
      : parseKustomizeVersion(result.stdout);
  if (version === undefined) {
    const printed = JSON.stringify(result.stdout.trim().slice(0, 200));
    throw new StepError('locate', 'kustomize', `${shown} printed no version: ${printed}`);
  }
  return version;
}

/** A kustomize that was found, with the version it reported. */
export interface LocatedKustomize {
  readonly command: KustomizeCommand;
  readonly version: string;
}

/** Finds kustomize (see `findKustomize`) and asks it its version. */
export async function locateKustomize(
  options: FindKustomizeOptions & { readonly runCommand: RunCommand },
): Promise<LocatedKustomize> {
  const command = await findKustomize(options);
  return { command, version: await kustomizeVersion(command, options.runCommand) };
}
