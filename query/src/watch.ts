/**
 * Following Applications with a Kubernetes watch instead of polling: one LIST for a snapshot
 * (and its resourceVersion), then a WATCH from there; when the server ends the watch (its
 * timeout) it resumes from the last resourceVersion seen, and lists again when that is gone
 * (410). Used by `get --watch`, `wait` and `sync --wait`.
 */
import { ApiException, CustomObjectsApi, type KubeConfig, Watch } from '@kubernetes/client-node';
import { applicationResource, QueryError, type RawApplication } from './kube.ts';

/** What happened to one Application. */
export const changeTypes = ['ADDED', 'MODIFIED', 'DELETED'] as const;
export type ChangeType = (typeof changeTypes)[number];

/** The watch boundary: calls `onChange` with every change until `signal` aborts. */
export interface ApplicationChanges {
  /**
   * The Applications of `namespace` (all when undefined), or only `name`: first each current
   * one as ADDED, then each change. Resolves when `signal` aborts; rejects when the watch
   * cannot be started or resumed (RBAC, unreachable).
   *
   * With `options.from` (a resourceVersion of an earlier LIST or change) it skips the first
   * LIST and watches from there; when that version is gone (410) it calls `onRelist` and lists
   * again, each current one as ADDED. `onVersion` sees each resourceVersion reached, bookmarks
   * included, to resume from later.
   */
  follow(
    namespace: string | undefined,
    name: string | undefined,
    onChange: (type: ChangeType, app: RawApplication) => void,
    signal: AbortSignal,
    options?: FollowOptions,
  ): Promise<void>;
}

/** Where a follow starts and what it reports besides changes. */
export interface FollowOptions {
  from?: string | undefined;
  onRelist?: () => void;
  onVersion?: (resourceVersion: string) => void;
}

/** The {@link ApplicationChanges} of a kubeconfig. */
export function applicationChanges(kc: KubeConfig): ApplicationChanges {
  const api = kc.makeApiClient(CustomObjectsApi);
  const watch = new Watch(kc);
  const { group, version, plural } = applicationResource;
  const pathOf = (namespace: string | undefined) =>
    `/apis/${group}/${version}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
  return {
    follow: async (namespace, name, onChange, signal, options = {}) => {
      let from = options.from;
      let first = true;
      const fieldSelector = name ? `metadata.name=${name}` : undefined;
      const selector = fieldSelector ? { fieldSelector } : {};
      const where = namespace ? `in namespace ${namespace}` : 'in all namespaces';
      while (!signal.aborted) {
        let resourceVersion = from ?? '';
        if (from) from = undefined;
        else {
          if (!first) options.onRelist?.();
          let list: { items: RawApplication[]; metadata?: { resourceVersion?: string } };
          try {
            list = (
              namespace
                ? await api.listNamespacedCustomObject({
                    group,
                    version,
                    plural,
                    namespace,
                    ...selector,
                  })
                : await api.listClusterCustomObject({ group, version, plural, ...selector })
            ) as typeof list;
          } catch (error) {
            throw watchFailure(error, 'list', where);
          }
          for (const item of list.items) onChange('ADDED', item);
          resourceVersion = list.metadata?.resourceVersion ?? '';
        }
        first = false;
        // Watch until the resourceVersion is gone (relist) or the caller stops.
        for (let gone = false; !gone && !signal.aborted; ) {
          gone = await new Promise<boolean>((resolve, reject) => {
            let expired = false;
            const started = watch.watch(
              pathOf(namespace),
              { resourceVersion, allowWatchBookmarks: true, fieldSelector },
              (type: string, obj: RawApplication & { code?: number }) => {
                if (type === 'ERROR') {
                  expired = obj.code === 410;
                  return;
                }
                resourceVersion =
                  (obj.metadata as { resourceVersion?: string }).resourceVersion ?? resourceVersion;
                if ((changeTypes as readonly string[]).includes(type))
                  onChange(type as ChangeType, obj);
                options.onVersion?.(resourceVersion);
              },
              (error: unknown) => {
                signal.removeEventListener('abort', stop);
                if (signal.aborted) resolve(false);
                else if (error && !isClosed(error)) reject(watchFailure(error, 'watch', where));
                else resolve(expired);
              },
            );
            const stop = () => {
              void started.then((controller) => controller.abort());
            };
            signal.addEventListener('abort', stop, { once: true });
            started.catch((error: unknown) => reject(watchFailure(error, 'watch', where)));
          });
        }
      }
    },
  };
}

/**
 * An ended stream is resumed, not reported: the server's own watch timeout, a reset, and
 * client-node's abort of a watch that carried nothing for 30 s (a quiet Application).
 */
function isClosed(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /AbortError|TimeoutError|premature close|ECONNRESET|terminated|other side closed/i.test(
    text,
  );
}

function watchFailure(error: unknown, verb: string, where: string): QueryError {
  // The LIST throws client-node's ApiException; the WATCH an Error with `statusCode`.
  const status =
    error instanceof ApiException
      ? error.code
      : (error as { statusCode?: number } | undefined)?.statusCode;
  if (status === 403)
    return new QueryError(
      'forbidden',
      `Applications ${where}: not allowed to ${verb} applications.kustodian.dev: ask for RBAC permission "${verb}" on "applications.kustodian.dev"`,
    );
  if (status === 401)
    return new QueryError(
      'unauthorized',
      `Applications ${where}: the API server rejected the credentials`,
    );
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new QueryError(
    status ? 'other' : 'unreachable',
    `Applications ${where}: ${verb} failed: ${message}`,
  );
}
