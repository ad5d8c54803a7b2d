/**
 * The example `Application` manifests (`examples/applications/<cluster>/`, built with kustomize
 * as `kubectl apply -k` would) and the git credentials Secret from its template, adapted to a
 * local git server the way a user adapts them to theirs: another repository URL, real
 * credentials, and for tests another namespace.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import { execaRunner } from '@kustodian/shared/exec';
import { parse, parseAllDocuments } from 'yaml';
import { projectRoot } from './config-repo.ts';
import type { KubeObject } from './kube.ts';

/** The examples' clusters, each with a directory of Applications. */
export const exampleClusters = ['staging', 'production'] as const;
export type ExampleCluster = (typeof exampleClusters)[number];

/** The directory of the example Applications. */
export const exampleApplicationsDir = join(projectRoot, 'examples/applications');

/** The Applications' API version and kind. */
export const applicationType = {
  apiVersion: 'kustodian.dev/v1alpha1',
  kind: 'Application',
} as const;

/** The credentials to put in the Secret: the keys the reconciler reads. */
export interface GitCredentialValues {
  readonly username: string;
  readonly password: string;
  /** PEM of a private CA that signed the git server's certificate. */
  readonly 'ca.crt'?: string;
}

/** `kustomize build examples/applications/<cluster>`, parsed. */
export async function exampleApplications(
  kustomize: string,
  cluster: ExampleCluster,
): Promise<KubeObject[]> {
  const dir = join(exampleApplicationsDir, cluster);
  const built = await execaRunner(kustomize, ['build', dir]);
  if (built.exitCode !== 0) {
    throw new StepError('build', dir, built.stderr.trim() || `exit code ${built.exitCode}`);
  }
  return parseAllDocuments(built.stdout).map((doc) => doc.toJS() as KubeObject);
}

/** What changes when an example Application moves to another repository or namespace. */
export interface Relocation {
  /** The repository URL that replaces `spec.source.url`. */
  readonly url: string;
  /** The namespace of the Application (and of its Secret). */
  readonly namespace?: string;
  /** Spec fields to set, such as a longer `interval`. */
  readonly spec?: Record<string, unknown>;
}

/** A copy of `app` reading from `to.url` (pure). */
export function relocate(app: KubeObject, to: Relocation): KubeObject {
  const spec = (app.spec ?? {}) as Record<string, unknown>;
  const source = (spec.source ?? {}) as Record<string, unknown>;
  return {
    ...app,
    metadata: {
      ...app.metadata,
      ...(to.namespace === undefined ? {} : { namespace: to.namespace }),
    },
    spec: { ...spec, ...to.spec, source: { ...source, url: to.url } },
  };
}

/** The template `examples/applications/git-credentials.yaml`, parsed. */
export async function credentialsTemplate(): Promise<KubeObject> {
  return parse(
    await readFile(join(exampleApplicationsDir, 'git-credentials.yaml'), 'utf8'),
  ) as KubeObject;
}

/** The template filled in with `values`, in `namespace` when given (pure). */
export function fillCredentials(
  template: KubeObject,
  values: GitCredentialValues,
  namespace?: string,
): KubeObject {
  return {
    ...template,
    metadata: {
      ...template.metadata,
      ...(namespace === undefined ? {} : { namespace }),
    },
    stringData: { ...values },
  };
}

/** `namespace/name` of an object. */
export function nameOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
