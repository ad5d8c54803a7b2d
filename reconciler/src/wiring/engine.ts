/**
 * The pipeline's engine port over the API server: staged server-side apply, prune and health,
 * each through the client of the Application's service account when it names one, else of the
 * default service account when one is set (`--default-service-account`). It remembers what each
 * Application's last apply left (`apply/applied.ts`), so that with the drift watch's view a
 * resync of an unchanged set sends no request for it.
 */
import { applyPolicyOf } from '@kustodian/shared/apply/object-options';
import { managedBySelector, type Owner } from '@kustodian/shared/apply/ownership';
import type { AppliedMemory, LiveView } from '../apply/applied.ts';
import { applyAll } from '../apply/apply.ts';
import type { ApplyEntry } from '../apply/outcomes.ts';
import type { YieldTable } from '../apply/yielded.ts';
import type { AppContext, EnginePort, HealthReport } from '../controller/ports.ts';
import type { DriftConflict } from '../drift/conflicts.ts';
import type { FieldPath } from '../drift/fields.ts';
import type { HealthSummary } from '../health/assess.ts';
import { type CurrentAt, waitFor } from '../health/wait.ts';
import { entryOf, inventoryOf, refOfEntry } from '../inventory/inventory.ts';
import type { ChangeFeed } from '../kube/changes.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Clock } from '../kube/clock.ts';
import type { ServiceAccountRef } from '../kube/kube.ts';
import { idOf, type KubeObject, type KubeRef } from '../kube/object.ts';
import { prune } from '../prune/prune.ts';
import { compareSet } from './compare.ts';

/** What the engine needs. */
export interface EngineOptions {
  readonly kube: KubeClient;
  readonly clock: Clock;
  /** Who applies for Applications without `serviceAccountName`; the reconciler itself if absent. */
  readonly defaultServiceAccount?: DefaultServiceAccount;
  /** The longest poll interval of health waits; default 2 s (the first 250 ms, then doubling). */
  readonly healthIntervalMs?: number;
  /** What other controllers own by design; default `wellKnownYields` (see `yielded.ts`). */
  readonly yields?: YieldTable;
  /** The live objects of an Application (by key) as its drift watch sees them, if watched. */
  readonly live?: (key: string) => LiveView | undefined;
  /** Changes to objects as watches see them: health waits follow these instead of polling. */
  readonly changes?: ChangeFeed;
}

/**
 * The service account that Applications without `serviceAccountName` apply as. With a
 * namespace, every such Application applies as that one account (the install's
 * `kustodian-system/kustodian-applier`); a name alone is looked up in each Application's own
 * namespace, as Flux's `--default-service-account`.
 *
 * Why the reconciler does not apply as itself: Kubernetes checks a Role or RoleBinding being
 * written against every right of the identity writing it, and the reconciler's own identity can
 * read Secrets and impersonate service accounts. A config repo could then write a Role granting
 * those and bind it to an account it also creates. The applier holds only what Applications may
 * apply, so that is all a Role written through it can grant.
 */
export interface DefaultServiceAccount {
  readonly namespace?: string;
  readonly name: string;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsSubdomain =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Reads `name` or `namespace/name`; throws naming the flag when it is neither. */
export function parseDefaultServiceAccount(text: string): DefaultServiceAccount {
  const parts = text.split('/');
  const name = parts.at(-1) ?? '';
  const namespace = parts.length === 2 ? parts[0] : undefined;
  if (
    parts.length > 2 ||
    !dnsSubdomain.test(name) ||
    (namespace !== undefined && !dnsLabel.test(namespace))
  )
    throw new Error(
      `--default-service-account: expected <name> or <namespace>/<name> of a service account, got "${text}"`,
    );
  return namespace === undefined ? { name } : { namespace, name };
}

/**
 * The client that applies, prunes and checks health for Applications without
 * `serviceAccountName` when the default account is one for all (else `undefined`); drift
 * watches, shared by every Application, read through it too.
 */
export function sharedApplier(
  kube: KubeClient,
  account: DefaultServiceAccount | undefined,
): KubeClient | undefined {
  return account?.namespace === undefined
    ? undefined
    : kube.impersonating({ namespace: account.namespace, name: account.name });
}

/**
 * The service account an Application applies as: the one it names (in its own namespace), else
 * the default one; `undefined` when it applies with the reconciler's own identity.
 */
export function applyingAccount(
  ctx: Pick<AppContext, 'namespace' | 'spec'>,
  fallback: DefaultServiceAccount | undefined,
): ServiceAccountRef | undefined {
  if (ctx.spec.serviceAccountName)
    return { namespace: ctx.namespace, name: ctx.spec.serviceAccountName };
  if (fallback === undefined) return undefined;
  return { namespace: fallback.namespace ?? ctx.namespace, name: fallback.name };
}

const ownerOf = (ctx: AppContext): Owner => ({ namespace: ctx.namespace, name: ctx.name });

/** The engine port, and a way to drop what it remembers of a deleted Application. */
export interface Engine extends EnginePort {
  forget(key: string): void;
}

/** Creates the engine port. */
export function createEngine(options: EngineOptions): Engine {
  const shared = sharedApplier(options.kube, options.defaultServiceAccount);
  const clientFor = (ctx: AppContext): KubeClient => {
    const account = applyingAccount(ctx, options.defaultServiceAccount);
    if (account === undefined) return options.kube;
    if (!ctx.spec.serviceAccountName && shared) return shared;
    return options.kube.impersonating(account);
  };
  // What each Application's last apply left, by key (see `apply/applied.ts`).
  const memories = new Map<string, AppliedMemory>();
  // The objects each Application's health checks found Current, and at which resourceVersion.
  const currents = new Map<string, Map<string, CurrentAt>>();
  const currentOf = (key: string) => {
    const found = currents.get(key) ?? new Map<string, CurrentAt>();
    currents.set(key, found);
    return found;
  };
  const lastApplied = (ctx: AppContext) => {
    const memory = memories.get(ctx.key) ?? new Map();
    memories.set(ctx.key, memory);
    const live = options.live?.(ctx.key);
    return live ? { memory, live } : { memory };
  };

  return {
    apply: async (objects, ctx, signal, onWritten, conflicts) => {
      const result = await applyAll(
        objects.map((o) => o.object as KubeObject),
        {
          kube: clientFor(ctx),
          owner: ownerOf(ctx),
          defaultNamespace: ctx.spec.destination.namespace ?? ctx.namespace,
          force: ctx.spec.force,
          ...(options.yields ? { yields: options.yields } : {}),
          ...(conflicts?.length ? { leftOut: leftOutOf(conflicts) } : {}),
          timeoutMs: ctx.spec.timeout,
          clock: options.clock,
          signal,
          ...lastApplied(ctx),
          ...(options.changes ? { changes: options.changes } : {}),
          ...(onWritten ? { onWritten: (object: KubeObject) => onWritten(entryOf(object)) } : {}),
        },
      );
      const count = (outcome: string) => result.entries.filter((e) => e.outcome === outcome).length;
      // Only the objects that failed; the ones skipped because of them are a count.
      const failures = result.entries
        .filter((e) => e.outcome === 'failed')
        .map((e) => `${e.id}: ${e.error ?? 'failed'}`);
      const blocked = result.ok || failures.length > 0 ? undefined : blockedReason(result.entries);
      return {
        created: count('created'),
        configured: count('configured'),
        unchanged: count('unchanged'),
        failures,
        skipped: count('skipped'),
        ...(blocked === undefined ? {} : { blocked }),
        inventory: inventoryOf(result.objects),
        ifNotPresent: result.objects.filter(isIfNotPresent).map(idOf),
        observed: result.observed,
        reverted: result.entries.flatMap((entry) =>
          (entry.reverted ?? []).map((revert) => ({ object: entry.id, ...revert })),
        ),
      };
    },
    compare: async (objects, ctx, signal) => {
      const result = await compareSet(
        objects.map((o) => o.object as KubeObject),
        {
          kube: clientFor(ctx),
          owner: ownerOf(ctx),
          defaultNamespace: ctx.spec.destination.namespace ?? ctx.namespace,
          force: ctx.spec.force,
          ...(options.yields ? { yields: options.yields } : {}),
          clock: options.clock,
          signal,
          ...lastApplied(ctx),
        },
      );
      return {
        created: 0,
        configured: 0,
        unchanged: result.unchanged.size,
        failures: result.failures,
        skipped: 0,
        inventory: inventoryOf(result.objects),
        ifNotPresent: result.objects.filter(isIfNotPresent).map(idOf),
        observed: result.unchanged,
        drifted: result.drifted,
      };
    },
    forget: (key) => {
      memories.delete(key);
      currents.delete(key);
    },
    prune: async (stale, ctx, signal) => {
      const results = await prune(stale, { owner: ownerOf(ctx), kube: clientFor(ctx), signal });
      return {
        deleted: results.filter((r) => r.outcome === 'deleted').map((r) => r.entry),
        skipped: results.filter((r) => r.outcome === 'skipped').map((r) => r.entry),
        failed: results
          .filter((r) => r.outcome === 'failed')
          .map((r) => ({ entry: r.entry, message: r.message ?? 'delete failed' })),
      };
    },
    health: async (entries, ctx, wait, signal, observed) => {
      const refs = entries.map(refOfEntry).filter((ref): ref is KubeRef => ref !== undefined);
      const currentAt = currentOf(ctx.key);
      const ids = new Set(refs.map(idOf));
      for (const id of currentAt.keys()) if (!ids.has(id)) currentAt.delete(id);
      const result = await waitFor(refs, {
        kube: clientFor(ctx),
        ...(observed ? { known: observed } : {}),
        currentAt,
        labelSelector: managedBySelector,
        ...(options.changes ? { changes: options.changes } : {}),
        timeoutMs: wait ? ctx.spec.timeout : 0,
        intervalMs: options.healthIntervalMs ?? 2000,
        firstIntervalMs: firstPollMs,
        signal,
        clock: options.clock,
      });
      if (result.outcome === 'Aborted') {
        return {
          status: 'Progressing',
          message: 'the health wait was cancelled by a newer revision or spec',
          counts: {},
        };
      }
      return healthReport(result.summary);
    },
  };
}

/**
 * The first wait between health polls: a rollout of a few pods, or the controllers catching up
 * with a large set just written, is often done long before a whole interval has passed.
 */
const firstPollMs = 250;

const isIfNotPresent = (obj: KubeObject) => applyPolicyOf(obj) === 'IfNotPresent';

/** The fields to leave out, by object id. */
function leftOutOf(conflicts: readonly DriftConflict[]): Map<string, FieldPath[]> {
  const byObject = new Map<string, FieldPath[]>();
  for (const conflict of conflicts)
    byObject.set(conflict.object, [...(byObject.get(conflict.object) ?? []), ...conflict.fields]);
  return byObject;
}

/** Why objects were skipped when none failed: the first reason given, without its prefix. */
function blockedReason(entries: readonly ApplyEntry[]): string {
  const why = entries.find((e) => e.outcome === 'skipped' && e.error)?.error;
  return why?.replace(/^not applied: /, '') ?? 'nothing was applied';
}

/** The kstatus summary as the Application's health: Current is Healthy, Failed is Degraded. */
export function healthReport(summary: HealthSummary): HealthReport {
  const status =
    summary.status === 'Current'
      ? 'Healthy'
      : summary.status === 'Failed'
        ? 'Degraded'
        : 'Progressing';
  const message =
    summary.status === 'Current' ? `all ${total(summary)} objects are healthy` : summary.message;
  return { status, message, counts: { ...summary.counts } };
}

function total(summary: HealthSummary): number {
  return Object.values(summary.counts).reduce((a, b) => a + b, 0);
}
