/**
 * The files `kustodian diff` renders: the Application's repository fetched as the reconciler
 * fetches it (the shared source layer: the same hardened git, the same credentials from the
 * Application's Secret, the same checkout of one exact commit), at the Application's own ref or
 * at `--revision`; or a local checkout (`--path`), used as it is.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApplicationSpec } from '@kustodian/shared/config/application';
import type { RunCommand } from '@kustodian/shared/exec';
import { credentialsFromSecretData } from '@kustodian/shared/source/credentials';
import { SourceError } from '@kustodian/shared/source/failure';
import { createGitHome, createGitRunner } from '@kustodian/shared/source/git';
import { isFullCommit, type SourceRef } from '@kustodian/shared/source/refs';
import { resolveRevision } from '@kustodian/shared/source/remote';
import type { SourceRequest } from '@kustodian/shared/source/request';
import { createSourceStore } from '@kustodian/shared/source/store';
import { QueryError } from './kube.ts';

/** Where the files come from. */
export type DiffFrom =
  /** The Application's own ref, or `revision` (a branch, a tag or a full commit) in its repository. */
  | { kind: 'repository'; revision?: string }
  /** A local checkout of the repository (the Application's path is rendered inside it). */
  | { kind: 'path'; dir: string };

/** What fetching needs. */
export interface SourceContext {
  runCommand: RunCommand;
  /** Lets git use plain HTTP (`--allow-http`, as the reconciler's flag). */
  allowHttp: boolean;
  /** The `data` of a Secret of the Application's namespace, or undefined when it is missing. */
  readSecret(name: string): Promise<Record<string, string> | undefined>;
}

/** A checkout ready to render; `release` removes what was fetched. */
export interface Checkout {
  root: string;
  /** `main@sha1:<sha>` as the reconciler writes it, or `path <dir>`. */
  revision: string;
  release(): Promise<void>;
}

/** The most bytes a checkout may hold, as the reconciler's default. */
const maxCheckoutBytes = 256 * 1024 * 1024;

/** The checkout `from` names for the Application `key` (`namespace/name`) with `spec`. */
export async function checkoutFor(
  key: string,
  spec: ApplicationSpec,
  from: DiffFrom,
  context: SourceContext,
): Promise<Checkout> {
  if (from.kind === 'path') {
    const root = resolve(from.dir);
    const info = await stat(root).catch(() => undefined);
    if (!info?.isDirectory())
      throw new QueryError(
        'other',
        `--path ${from.dir}: no such directory (give a checkout of the Application's repository)`,
      );
    return { root, revision: `path ${from.dir}`, release: async () => {} };
  }
  const scratch = await mkdtemp(join(tmpdir(), 'kustodian-diff-'));
  try {
    const git = createGitRunner({
      runCommand: context.runCommand,
      homeDir: await createGitHome(scratch),
      policy: { allowHttp: context.allowHttp },
    });
    const deps = { git, scratchDir: join(scratch, 'scratch') };
    const credentials = await credentialsOf(key, spec, context);
    const requestFor = (ref: SourceRef): SourceRequest => ({
      url: spec.source.url,
      ref,
      ...(credentials ? { credentials } : {}),
    });
    const { request, commit } = await resolveRef(requestFor, spec, from.revision, deps);
    const store = await createSourceStore({
      ...deps,
      workDir: join(scratch, 'checkouts'),
      maxBytes: maxCheckoutBytes,
    });
    const artifact = await store.checkout(request, commit);
    return {
      root: artifact.dir,
      revision: artifact.revision,
      release: () => rm(scratch, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    if (error instanceof SourceError) throw new QueryError('other', error.message);
    throw error;
  }
}

/** The spec's ref, or `revision`: a full commit as it is, else a branch, else a tag. */
async function resolveRef(
  requestFor: (ref: SourceRef) => SourceRequest,
  spec: ApplicationSpec,
  revision: string | undefined,
  deps: Parameters<typeof resolveRevision>[1],
): Promise<{ request: SourceRequest; commit: string }> {
  const refs: SourceRef[] =
    revision === undefined
      ? [specRef(spec.source.ref)]
      : isFullCommit(revision)
        ? [{ kind: 'commit', name: revision.toLowerCase() }]
        : [
            { kind: 'branch', name: revision },
            { kind: 'tag', name: revision },
          ];
  for (const [index, ref] of refs.entries()) {
    const request = requestFor(ref);
    try {
      return { request, commit: await resolveRevision(request, deps) };
    } catch (error) {
      const last = index === refs.length - 1;
      if (last || !(error instanceof SourceError) || error.reason !== 'RefNotFound') {
        if (
          revision !== undefined &&
          error instanceof SourceError &&
          error.reason === 'RefNotFound'
        )
          throw new QueryError(
            'not-found',
            `--revision ${revision}: no such branch or tag in ${error.object} (give a branch, a tag or a full commit hash)`,
          );
        throw error;
      }
    }
  }
  throw new Error('unreachable: no ref to resolve');
}

function specRef(ref: ApplicationSpec['source']['ref']): SourceRef {
  if ('branch' in ref) return { kind: 'branch', name: ref.branch };
  if ('tag' in ref) return { kind: 'tag', name: ref.tag };
  return { kind: 'commit', name: ref.commit };
}

async function credentialsOf(key: string, spec: ApplicationSpec, context: SourceContext) {
  const secretRef = spec.source.secretRef;
  if (!secretRef) return undefined;
  const data = await context.readSecret(secretRef.name);
  if (!data)
    throw new QueryError(
      'not-found',
      `Application ${key}: Secret ${key.split('/')[0]}/${secretRef.name} named in source.secretRef does not exist`,
    );
  return credentialsFromSecretData(data);
}
