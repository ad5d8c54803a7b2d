/**
 * Directory trees in temp dirs for the kustomize tests, and the pinned kustomize binary.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requireBinary } from '../../../test/env/binaries.ts';

/** A temp dir (its real path) with the given files written into it, and how to remove it. */
export interface TempTree {
  readonly root: string;
  readonly cleanup: () => Promise<void>;
}

/** Creates a temp dir holding `files` (path relative to the root → content). */
export async function tempTree(files: Readonly<Record<string, string>> = {}): Promise<TempTree> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'kustodian-kustomize-')));
  await writeTree(root, files);
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Writes `files` under `root`, creating directories as needed. */
export async function writeTree(
  root: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A ConfigMap manifest. */
export function configMap(
  name: string,
  data: Readonly<Record<string, string>> = { key: 'value' },
): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    'data:',
    ...lines,
    '',
  ].join('\n');
}

/**
 * The path of the pinned kustomize, failing with the command that builds it when it is missing:
 * these tests run the real binary and are never skipped.
 */
export function kustomizeBinary(): Promise<string> {
  return requireBinary('kustomize');
}
