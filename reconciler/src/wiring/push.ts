/**
 * From a signed GitHub push to the Applications it concerns: those whose source is the pushed
 * repository (compared by host and path, whatever the URL form) and whose ref is the pushed
 * branch or tag, or any ref when they follow a commit. Only a refresh is triggered.
 *
 * Every replica behind the webhook Service receives pushes, and only the leader reconciles. The
 * leader refreshes the Applications at once; a standby asks the leader through the API server
 * instead, setting each one's `kustodian.dev/requested-at` annotation (which the leader watches,
 * as Argo CD's and Flux's receivers do), so no push is lost on whichever replica it reaches.
 */
import type { Application } from '../api/application.ts';
import {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  keyOf,
  requestedAtAnnotation,
} from '../api/application.ts';
import { isConflict, isInvalid } from '../kube/errors.ts';
import type { JsonPatchOperation, Kube } from '../kube/kube.ts';
import { type KubeRef, refOf } from '../kube/object.ts';
import { type PushEvent, repoKey } from '../server/github.ts';
import type { PushResult } from '../server/webhook.ts';

/** The keys of the Applications `push` concerns. */
export function applicationsForPush(
  push: PushEvent,
  applications: readonly Application[],
): string[] {
  // `push.urls` are already repository keys (see parsePushEvent); keying them again loses them.
  const pushed = new Set(push.urls);
  const keys: string[] = [];
  for (const app of applications) {
    const source = (
      app.spec as { source?: { url?: unknown; ref?: Record<string, unknown> } } | undefined
    )?.source;
    const url = typeof source?.url === 'string' ? repoKey(source.url) : undefined;
    if (!url || !pushed.has(url)) continue;
    const ref = source?.ref ?? { branch: 'main' };
    const wanted =
      typeof ref.branch === 'string'
        ? `refs/heads/${ref.branch}`
        : typeof ref.tag === 'string'
          ? `refs/tags/${ref.tag}`
          : undefined;
    if (wanted === undefined || wanted === push.ref) keys.push(keyOf(app));
  }
  return keys;
}

/** What a push needs of the leading controller. */
export interface PushController {
  applications(): readonly Application[];
  refresh(key: string, why: string): void;
}

/** Refreshes every Application `push` concerns on the leading `controller`; returns how many. */
export function matchPush(push: PushEvent, controller: PushController): number {
  const keys = applicationsForPush(push, controller.applications());
  for (const key of keys) controller.refresh(key, `push to ${push.ref}`);
  return keys.length;
}

/** What {@link createPushHandler} needs. */
export interface PushHandlerOptions {
  /** The controller while this replica leads; `undefined` on a standby. */
  readonly controller: () => PushController | undefined;
  /** The API server, where a standby reads the Applications and asks for their refresh. */
  readonly kube: Pick<Kube, 'list' | 'get' | 'patch'>;
  /** Only Applications in this namespace, as the controller watches them. */
  readonly namespace?: string;
  readonly now: () => Date;
}

/**
 * The webhook's push handler: refreshes on this replica's controller while it leads, else asks
 * the leader through the API server. Rejects when the request could not be made (the webhook
 * then answers 503, so the push is sent again).
 */
export function createPushHandler(
  options: PushHandlerOptions,
): (push: PushEvent) => Promise<PushResult> {
  return async (push) => {
    const controller = options.controller();
    if (controller) return { route: 'refreshed', applications: matchPush(push, controller) };
    const list = await options.kube.list(APPLICATION_API_VERSION, APPLICATION_KIND, {
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    const applications = list.items as Application[];
    const wanted = new Set(applicationsForPush(push, applications));
    const at = options.now().toISOString();
    for (const app of applications) {
      if (wanted.has(keyOf(app))) await requestRefresh(options.kube, app, at);
    }
    return { route: 'requested', applications: wanted.size };
  };
}

/** Attempts at setting the annotation while the Application keeps changing under it. */
const requestAttempts = 3;

/**
 * Sets `kustodian.dev/requested-at` to `at` on `app` (a JSON patch never creates, so a deleted
 * Application stays deleted). Adding the first annotation replaces the whole map, so that patch
 * holds only while the object is as it was read; it is read again and retried otherwise.
 */
async function requestRefresh(
  kube: Pick<Kube, 'get' | 'patch'>,
  listed: Application,
  at: string,
): Promise<void> {
  const ref: KubeRef = refOf(listed);
  let app: Application | undefined = listed;
  for (let attempt = 1; app !== undefined; attempt++) {
    try {
      await kube.patch(ref, requestPatch(app, at));
      return;
    } catch (error) {
      if (attempt >= requestAttempts || !(isInvalid(error) || isConflict(error))) throw error;
    }
    app = (await kube.get(ref)) as Application | undefined;
  }
}

/** The JSON patch that sets the annotation on `app` as it was read. */
export function requestPatch(app: Application, at: string): JsonPatchOperation[] {
  const annotations = app.metadata.annotations;
  if (typeof annotations === 'object' && annotations !== null) {
    const key = requestedAtAnnotation.replaceAll('~', '~0').replaceAll('/', '~1');
    return [{ op: 'add', path: `/metadata/annotations/${key}`, value: at }];
  }
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: app.metadata.resourceVersion },
    { op: 'add', path: '/metadata/annotations', value: { [requestedAtAnnotation]: at } },
  ];
}
