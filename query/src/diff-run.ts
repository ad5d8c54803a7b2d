/**
 * `diffApplication`: what the next sync of an Application would change, found the way the
 * reconciler decides it (reconciler/src/controller/reconcile.ts and apply/plan.ts), without
 * writing anything:
 *
 *   read the Application → fetch (or take the local checkout) → render → prepare → dry-run → prune
 *
 * It reuses the reconciler's own steps: the shared source and render, its `prepareObjects`
 * (namespaces, the fields other controllers own, the ownership marks) and its API client, whose
 * server-side apply has the reconciler's field manager and `force`, here with `dryRun=All`.
 * What differs: the dry run runs with the kubeconfig's identity, not the Application's service
 * account, and fields the reconciler gave up in a fight with another manager (kept in its
 * memory only) are not known here.
 */

import type { KubeConfig } from '@kubernetes/client-node';
import { applyPolicyOf, isPruneDisabled } from '@kustodian/shared/apply/object-options';
import { fieldManager, ownerOf, ownerValue } from '@kustodian/shared/apply/ownership';
import { withReplicasLeftToAutoscaler } from '@kustodian/shared/apply/yields';
import {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  type ApplicationSpec,
  parseApplicationSpec,
} from '@kustodian/shared/config/application';
import { messageOf } from '@kustodian/shared/errors';
import type { RunCommand } from '@kustodian/shared/exec';
import type { KustomizeCommand } from '@kustodian/shared/kustomize/locate';
import { defaultRenderLimits, render } from '@kustodian/shared/render/render';
import type { Application } from '../../reconciler/src/api/application.ts';
import type { PreparedObject } from '../../reconciler/src/apply/outcomes.ts';
import { namespacesInSet, prepareObjects } from '../../reconciler/src/apply/prepare.ts';
import { leavesDrift } from '../../reconciler/src/controller/self-heal.ts';
import { refOfEntry } from '../../reconciler/src/inventory/inventory.ts';
import { createKube, type KubeClient } from '../../reconciler/src/kube/client.ts';
import { mapLimit } from '../../reconciler/src/kube/each.ts';
import { isNotFound, KubeApiError } from '../../reconciler/src/kube/errors.ts';
import { type KubeObject, refOf } from '../../reconciler/src/kube/object.ts';
import {
  type DiffSummary,
  failedDiff,
  leftAsIs,
  type ObjectDiff,
  objectDiff,
  pruneDiff,
  summarize,
} from './diff.ts';
import { checkoutFor, type DiffFrom } from './diff-source.ts';
import { applicationsApi, QueryError, type RawApplication } from './kube.ts';

/** What a diff needs. */
export interface DiffRequest {
  kc: KubeConfig;
  namespace: string;
  name: string;
  from: DiffFrom;
  kustomize: KustomizeCommand;
  runCommand: RunCommand;
  /** Lets git fetch over plain HTTP. */
  allowHttp: boolean;
  /** The proxy and CA variables kustomize gets to fetch allowed remotes (`network-env.ts`). */
  networkEnv?: Readonly<Record<string, string>>;
}

/** What the next sync of one Application would change. */
export interface ApplicationDiff {
  application: { namespace: string; name: string };
  /** The revision rendered: `main@sha1:<sha>`, or `path <dir>`. */
  revision: string;
  /** The Application's path in the repository. */
  path: string;
  /** Every rendered object, then those the sync would prune, each in id order. */
  objects: ObjectDiff[];
  summary: DiffSummary;
}

/** Requests in flight at once, as the reconciler's apply. */
const concurrency = 16;

/** Computes the diff; problems that stop it throw a `QueryError` naming the step. */
export async function diffApplication(request: DiffRequest): Promise<ApplicationDiff> {
  const { namespace, name } = request;
  const key = `${namespace}/${name}`;
  const kube = createKube(request.kc);
  const guarded = <T>(step: string, work: () => Promise<T>) => guard(step, key, request.kc, work);

  // 1. The Application: its spec, and the inventory of the last sync (what prune compares with).
  const app = await applicationsApi(request.kc).get(namespace, name);
  const spec = specOf(app, key);
  const inventory = inventoryOf(app);

  // 2. Fetch its repository (or take the local checkout).
  const checkout = await guarded('fetch', () =>
    checkoutFor(key, spec, request.from, {
      runCommand: request.runCommand,
      allowHttp: request.allowHttp,
      readSecret: async (secret) => {
        const live = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: secret });
        return live ? ((live.data ?? {}) as Record<string, string>) : undefined;
      },
    }),
  );
  try {
    // 3. Render: the reconciler's jailed kustomize build or plain YAML.
    const rendered = await guarded('render', async () =>
      (
        await render(checkout.root, spec.source.path, spec.allowRemote, {
          ...defaultRenderLimits,
          kustomize: request.kustomize,
          runCommand: request.runCommand,
          ...(request.networkEnv ? { networkEnv: request.networkEnv } : {}),
        })
      ).objects.map((o) => o.object as KubeObject),
    );
    if (rendered.length === 0 && inventory.length > 0 && !spec.allowEmpty)
      throw new QueryError(
        'other',
        `Application ${key}: ${spec.source.path} rendered no objects; the sync would refuse to prune all ${inventory.length} (set allowEmpty to allow it)`,
      );

    // 4. Prepare as the reconciler does, then dry-run each object against its live state.
    const prepared = await guarded('prepare', () =>
      prepareObjects(rendered, {
        kube,
        owner: { namespace, name },
        defaultNamespace: spec.destination.namespace ?? namespace,
      }),
    );
    const created = namespacesInSet(prepared);
    const applied = await guarded('dry-run apply', () =>
      mapLimit(prepared, concurrency, (item) => dryRun(item, kube, created)),
    );

    // 5. Prune: what the inventory holds and the render no longer does, if still ours.
    const ids = new Set(prepared.map((item) => item.id));
    const stale = spec.prune ? inventory.filter((entry) => !ids.has(entry.id)) : [];
    const pruned = await guarded('prune', () =>
      mapLimit(stale, concurrency, async (entry) => {
        const ref = refOfEntry(entry);
        const live = ref ? await kube.get(ref) : undefined;
        if (!live || ownerOf(live) !== ownerValue({ namespace, name }) || isPruneDisabled(live))
          return [];
        return [pruneDiff(entry.id, live)];
      }),
    );

    // With selfHeal off, a revision already applied at this generation is only compared: what
    // differs was changed by hand and stays (reconciler/src/controller/self-heal.ts).
    const compared = leavesDrift({ app: asApplication(app), spec }, checkout.revision)
      ? applied.map(leftAsIs)
      : applied;
    const byId = (a: ObjectDiff, b: ObjectDiff) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const objects = [...compared.sort(byId), ...pruned.flat().sort(byId)];
    return {
      application: { namespace, name },
      revision: checkout.revision,
      path: spec.source.path,
      objects,
      summary: summarize(objects),
    };
  } finally {
    await checkout.release();
  }
}

/** One object's change: its dry run against the live object, as `planObject` does it. */
async function dryRun(
  item: PreparedObject,
  kube: KubeClient,
  created: ReadonlySet<string>,
): Promise<ObjectDiff> {
  if (item.problem) return failedDiff(item.id, item.problem);
  // Its kind comes from a CRD the sync creates: the server cannot dry-run it yet.
  if (item.definedInSet)
    return objectDiff({
      id: item.id,
      after: item.object,
      note: 'not dry-run: its kind is defined by a CRD the sync creates',
    });
  let live: KubeObject | undefined;
  try {
    live = await kube.get(refOf(item.object));
    if (live && applyPolicyOf(item.object) === 'IfNotPresent')
      return objectDiff({ id: item.id, live, after: live });
    const object =
      live && item.autoscaled ? withReplicasLeftToAutoscaler(item.object, live) : item.object;
    const merged = await kube.apply(object, { dryRun: true });
    return objectDiff({ id: item.id, live, after: merged });
  } catch (error) {
    const namespace = item.key.namespace;
    if (!live && isNotFound(error) && namespace && created.has(namespace))
      return objectDiff({
        id: item.id,
        after: item.object,
        note: `not dry-run: its Namespace ${namespace} is created by the sync`,
      });
    if (error instanceof KubeApiError && [401, 403, 0].includes(error.httpStatus)) throw error;
    return failedDiff(item.id, messageOf(error));
  }
}

/** The Application as the reconciler's types have it. */
function asApplication(app: RawApplication): Application {
  return {
    apiVersion: APPLICATION_API_VERSION,
    kind: APPLICATION_KIND,
    metadata: app.metadata,
    spec: app.spec,
    ...(app.status ? { status: app.status as NonNullable<Application['status']> } : {}),
  };
}

function specOf(app: RawApplication, key: string): ApplicationSpec {
  try {
    return parseApplicationSpec(app.spec, key);
  } catch (error) {
    throw new QueryError('other', `Application ${key} has an invalid spec: ${messageOf(error)}`);
  }
}

function inventoryOf(app: RawApplication): { id: string; version: string }[] {
  const status = app.status as { inventory?: { entries?: { id: string; version: string }[] } };
  return status?.inventory?.entries ?? [];
}

/** Runs one step; an API refusal or an unreachable server becomes a `QueryError` to act on. */
async function guard<T>(
  step: string,
  key: string,
  kc: KubeConfig,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueryError) throw error;
    const server = kc.getCurrentCluster()?.server ?? 'the API server';
    if (error instanceof KubeApiError) {
      if (error.httpStatus === 403)
        throw new QueryError(
          'forbidden',
          `Application ${key}: ${step}: ${error.message}: ask for RBAC permission "get" on the Application's Secret and objects, and "patch" on its objects (for the dry run, as field manager ${fieldManager})`,
        );
      if (error.httpStatus === 401)
        throw new QueryError(
          'unauthorized',
          `Application ${key}: the API server at ${server} rejected the credentials: renew them in the kubeconfig`,
        );
      if (error.httpStatus === 0)
        throw new QueryError(
          'unreachable',
          `Application ${key}: ${step}: the API server at ${server} is unreachable (${error.message}): check the kubeconfig context and the network`,
        );
    }
    throw new QueryError('other', `Application ${key}: ${messageOf(error)}`);
  }
}
