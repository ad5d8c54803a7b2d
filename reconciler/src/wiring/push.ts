/**
 * From a signed GitHub push to the Applications it concerns: those whose source is the pushed
 * repository (compared by host and path, whatever the URL form) and whose ref is the pushed
 * branch or tag, or any ref when they follow a commit. Only a refresh is triggered.
 */
import type { Application } from '../api/application.ts';
import { keyOf } from '../api/application.ts';
import { type PushEvent, repoKey } from '../server/github.ts';

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

/** Refreshes every Application `push` concerns on `controller`, if this instance leads. */
export function matchPush(
  push: PushEvent,
  controller:
    | { applications(): readonly Application[]; refresh(key: string, why: string): void }
    | undefined,
): void {
  if (!controller) return;
  for (const key of applicationsForPush(push, controller.applications())) {
    controller.refresh(key, `push to ${push.ref}`);
  }
}
