/**
 * The demo's preparations, each a small step of its own: the local environment's binaries, the
 * staging Applications with their git credentials, reading them back, and reading a commit of
 * the config repository on the git server's disk.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import { execaRunner } from '@kustodian/shared/exec';
import {
  applicationType,
  credentialsTemplate,
  exampleApplications,
  fillCredentials,
  relocate,
} from './applications.ts';
import { type GitAccess, projectRoot } from './config-repo.ts';
import type { DemoKube, KubeObject } from './kube.ts';
import type { Reporter } from './report.ts';

/** Builds the local environment's binaries (or finds them cached); stderr shows progress. */
export function buildBinaries(): void {
  const built = spawnSync('bash', [join(projectRoot, 'test/env/build-binaries.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) {
    throw new StepError(
      'build',
      'the local environment binaries',
      `build-binaries.sh exited with ${built.status}`,
    );
  }
}

/** Where the staging Applications go and what they read. */
export interface ApplicationsPlace {
  readonly kustomize: string;
  readonly repoUrl: string;
  readonly access: GitAccess;
  readonly namespace: string;
}

/**
 * Creates the git credentials Secret from its template and the staging Applications of
 * `examples/applications`, pointed at `place.repoUrl`; returns the Applications' names.
 */
export async function createApplications(
  say: Reporter,
  kube: DemoKube,
  place: ApplicationsPlace,
): Promise<string[]> {
  say.step(
    'creating the git credentials Secret and the staging Applications (examples/applications)',
  );
  const { access, namespace, repoUrl } = place;
  const ca = access.caFile ? await readFile(access.caFile, 'utf8') : undefined;
  const values = {
    username: access.username,
    password: access.password,
    ...(ca ? { 'ca.crt': ca } : {}),
  };
  const secret = fillCredentials(await credentialsTemplate(), values, namespace);
  await kube.apply(secret);
  say.detail(`Secret ${namespace}/${secret.metadata.name}: ${Object.keys(values).join(', ')}`);
  const names: string[] = [];
  for (const app of await exampleApplications(place.kustomize, 'staging')) {
    const local = relocate(app, { url: repoUrl, namespace });
    await kube.apply(local);
    const spec = local.spec as { source: { path: string } };
    names.push(local.metadata.name);
    say.detail(
      `Application ${namespace}/${local.metadata.name}: ${spec.source.path} of ${repoUrl}`,
    );
  }
  return names;
}

/** The named Applications of `namespace`, as they are now. */
export async function readApplications(
  kube: DemoKube,
  namespace: string,
  names: readonly string[],
): Promise<Map<string, KubeObject | undefined>> {
  const apps = new Map<string, KubeObject | undefined>();
  for (const name of names) {
    apps.set(
      name,
      await kube.get(applicationType.apiVersion, applicationType.kind, namespace, name),
    );
  }
  return apps;
}

/** The message of `sha` in a bare repository. */
export async function commitMessageOf(bareRepo: string, sha: string): Promise<string> {
  const shown = await execaRunner('git', ['--git-dir', bareRepo, 'log', '-1', '--format=%B', sha]);
  if (shown.exitCode !== 0) throw new StepError('read', `commit ${sha}`, shown.stderr.trim());
  return shown.stdout.trim();
}
