/**
 * Where the local environment's binaries live.
 *
 * They are built from the Go module proxy by `build-binaries.sh` into a cache outside the
 * repository, keyed by version. The versions here and in the script are the same pins.
 */
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The pinned versions of every binary the local environment runs. */
export const versions = {
  kubernetes: process.env.K8S_VERSION ?? 'v1.36.3',
  etcd: process.env.ETCD_VERSION ?? 'v3.6.16',
  kwok: process.env.KWOK_VERSION ?? 'v0.8.0',
  kustomize: process.env.KUSTOMIZE_VERSION ?? 'v5.8.2',
} as const;

/** The binaries of the local environment, by name. */
export const binaryNames = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
  'kustomize',
] as const;
export type BinaryName = (typeof binaryNames)[number];

/** The cache root: `$KUSTODIAN_CACHE`, else `~/.cache/kustodian`. */
export function cacheDir(): string {
  return process.env.KUSTODIAN_CACHE ?? join(homedir(), '.cache', 'kustodian');
}

function versionOf(name: BinaryName): string {
  switch (name) {
    case 'etcd':
      return versions.etcd;
    case 'kwok':
      return versions.kwok;
    case 'kustomize':
      return versions.kustomize;
    default:
      return versions.kubernetes;
  }
}

/** The absolute path of one cached binary (it may not be built yet). */
export function binaryPath(name: BinaryName): string {
  return join(cacheDir(), 'bin', `${name}-${versionOf(name)}`, name);
}

/**
 * `PATH` with the directories of the pinned command-line tools (kubectl, kustomize) first, so
 * tests and benchmarks run the versions the local environment pins, not whatever the machine has.
 */
export function pathWithPinnedTools(path: string = process.env.PATH ?? ''): string {
  const dirs = (['kubectl', 'kustomize'] as const).map((name) => dirname(binaryPath(name)));
  return [...dirs, path].filter((part) => part !== '').join(delimiter);
}

/** The directory holding kwok's default stage definitions. */
export function kwokStagesDir(): string {
  return join(cacheDir(), 'bin', `kwok-${versions.kwok}`, 'stages');
}

/** kwok's ClusterLogs CustomResourceDefinition, copied from its module beside the binary. */
export function kwokClusterLogsCrdFile(): string {
  return join(cacheDir(), 'bin', `kwok-${versions.kwok}`, 'crds', 'kwok.x-k8s.io_clusterlogs.yaml');
}

/** Fails with the command to run when a binary has not been built. */
export async function requireBinary(name: BinaryName): Promise<string> {
  const path = binaryPath(name);
  try {
    await access(path, constants.X_OK);
  } catch (cause) {
    throw new Error(`${name} ${versionOf(name)} is not built at ${path}: run npm run env:build`, {
      cause,
    });
  }
  return path;
}
