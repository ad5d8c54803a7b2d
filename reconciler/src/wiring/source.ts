/**
 * The pipeline's source port over git: credentials from the Application's Secret, a cheap
 * remote check for the commit, and shared checkouts from the source store.
 */
import type { SourceRef as SpecRef } from '@kustodian/shared/config/application';
import { redactUrl } from '@kustodian/shared/redact';
import {
  credentialsFromSecretData,
  type GitCredentials,
  secretsOf,
} from '@kustodian/shared/source/credentials';
import { SourceError } from '@kustodian/shared/source/failure';
import type { SourceRef } from '@kustodian/shared/source/refs';
import { resolveRevision } from '@kustodian/shared/source/remote';
import type { SourceDeps, SourceRequest } from '@kustodian/shared/source/request';
import type { Artifact, SourceStore } from '@kustodian/shared/source/store';
import type { AppContext, SourcePort } from '../controller/ports.ts';
import type { Kube } from '../kube/kube.ts';
import { isRecord } from '../kube/object.ts';
import type { Metrics } from '../metrics.ts';
import { parseTrailers } from './trailers.ts';

/** What the source port needs. */
export interface SourceOptions {
  /** Reads the Applications' Secrets (the reconciler's own identity, never impersonated). */
  readonly kube: Pick<Kube, 'get'>;
  readonly store: SourceStore;
  readonly deps: SourceDeps;
  readonly metrics: Metrics;
  /** Every secret value read is registered here, so that no log line can carry it. */
  readonly addSecret: (value: string) => void;
}

/** The spec's `{ branch } | { tag } | { commit }` as the source layer names it. */
export function sourceRefOf(ref: SpecRef): SourceRef {
  if ('branch' in ref) return { kind: 'branch', name: ref.branch };
  if ('tag' in ref) return { kind: 'tag', name: ref.tag };
  return { kind: 'commit', name: ref.commit };
}

/** Creates the source port; `forget` drops a deleted Application's checkout. */
export function createSource(
  options: SourceOptions,
): SourcePort & { forget(key: string): Promise<void> } {
  const credentialsOf = async (
    ctx: AppContext,
    signal: AbortSignal,
  ): Promise<GitCredentials | undefined> => {
    const secretRef = ctx.spec.source.secretRef;
    if (!secretRef) return undefined;
    const secret = await options.kube.get(
      { apiVersion: 'v1', kind: 'Secret', namespace: ctx.namespace, name: secretRef.name },
      { signal },
    );
    if (!secret) {
      throw new SourceError(
        redactUrl(ctx.spec.source.url),
        'AuthFailed',
        `Secret ${ctx.namespace}/${secretRef.name} named in source.secretRef does not exist`,
      );
    }
    const data = isRecord(secret.data) ? (secret.data as Record<string, string>) : {};
    const credentials = credentialsFromSecretData(data);
    for (const value of secretsOf(credentials)) options.addSecret(value);
    return credentials;
  };
  const requestOf = async (ctx: AppContext, signal: AbortSignal): Promise<SourceRequest> => {
    const credentials = await credentialsOf(ctx, signal);
    return {
      url: ctx.spec.source.url,
      ref: sourceRefOf(ctx.spec.source.ref),
      ...(credentials ? { credentials } : {}),
    };
  };

  const held = new Map<string, Artifact>();
  return {
    resolve: async (ctx, signal) => {
      try {
        const commit = await resolveRevision(await requestOf(ctx, signal), options.deps);
        options.metrics.sourceFetches.inc({ result: 'checked' });
        return commit;
      } catch (error) {
        options.metrics.sourceFetches.inc({ result: 'failed' });
        throw error;
      }
    },
    checkout: async (ctx, commit, signal) => {
      // Each Application holds the checkout of the revision it is on until it moves to another
      // one, so a second Application on the same revision reuses it instead of fetching again.
      const current = held.get(ctx.key);
      let artifact = current?.commit === commit ? current : undefined;
      if (!artifact) {
        const before = options.store.stats().fetches;
        artifact = await options.store.checkout(await requestOf(ctx, signal), commit);
        if (options.store.stats().fetches > before)
          options.metrics.sourceFetches.inc({ result: 'fetched' });
        held.set(ctx.key, artifact);
        if (current) await options.store.release(current);
      }
      return {
        dir: artifact.dir,
        commit: artifact.commit,
        revision: artifact.revision,
        trailers: parseTrailers(artifact.message),
        ...(artifact.committedAt === undefined ? {} : { committedAt: artifact.committedAt }),
      };
    },
    forget: async (key) => {
      const current = held.get(key);
      held.delete(key);
      if (current) await options.store.release(current);
    },
  };
}
