/**
 * The part of `reconciler/deploy/` a reconciler running outside the cluster needs: the
 * `Application` CRD (waited for until the API server serves it) and, when asked, the
 * `kustodian-system` namespace the example Applications live in.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepError } from '@kustodian/shared/errors';
import { parse } from 'yaml';
import { projectRoot } from './config-repo.ts';
import type { DemoKube, KubeObject } from './kube.ts';

/** The reconciler's install base. */
export const deployDir = join(projectRoot, 'reconciler/deploy');

async function manifest(file: string): Promise<KubeObject> {
  return parse(await readFile(join(deployDir, file), 'utf8')) as KubeObject;
}

/** Whether a CRD's `Established` condition is true. */
export function established(crd: KubeObject | undefined): boolean {
  const conditions = (crd?.status as { conditions?: { type: string; status: string }[] })
    ?.conditions;
  return conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

/**
 * Applies `crd.yaml` (and `namespace.yaml` with `withNamespace`) and waits up to 30 s until the
 * Application API is served. Returns the CRD's name.
 */
export async function installApplicationApi(
  kube: DemoKube,
  options: { withNamespace: boolean },
): Promise<string> {
  if (options.withNamespace) await kube.apply(await manifest('namespace.yaml'));
  const crd = await manifest('crd.yaml');
  await kube.apply(crd);
  const name = crd.metadata?.name ?? '';
  const deadline = Date.now() + 30_000;
  while (!established(await kube.get(crd.apiVersion ?? '', crd.kind ?? '', undefined, name))) {
    if (Date.now() > deadline) {
      throw new StepError('install', `CustomResourceDefinition/${name}`, 'not Established in 30 s');
    }
    await sleep(100);
  }
  return name;
}
