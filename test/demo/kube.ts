/**
 * The few API-server calls the demo and the loop test make as a user would with kubectl:
 * server-side apply under their own field manager (never the reconciler's), reads, lists and
 * server-side dry runs. Objects travel as plain JSON over the reconciler's transport: a typed
 * client model would drop fields it does not know by their wire names (such as a CRD's
 * `x-kubernetes-validations`).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { StepError } from '@kustodian/shared/errors';
import { createKube } from '../../reconciler/src/kube/client.ts';
import { resourcePath } from '../../reconciler/src/kube/discovery.ts';
import {
  createTransport,
  type HttpRequest,
  type HttpResponse,
} from '../../reconciler/src/kube/http.ts';
import { idOf, type KubeObject } from '../../reconciler/src/kube/object.ts';

export type { KubeObject };

/** The field manager of what the demo writes, as `metadata.managedFields` shows it. */
export const demoFieldManager = 'kustodian-demo';

/** A small client for one cluster. */
export interface DemoKube {
  /** Server-side apply (forcing conflicts, as `kubectl apply --server-side --force-conflicts`). */
  apply(obj: KubeObject): Promise<KubeObject>;
  /** Server-side dry run of a create: validated, defaulted and admitted, not stored. */
  dryRunCreate(obj: KubeObject): Promise<KubeObject>;
  /** The live object, or `undefined` when there is none. */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined>;
  /** Every object of a kind in `namespace`, optionally matching a label selector. */
  list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<KubeObject[]>;
}

/** The server's `Status` message of a failed request, else its HTTP status. */
export function serverMessage(response: HttpResponse): string {
  try {
    const status = JSON.parse(response.body) as { message?: unknown };
    if (typeof status.message === 'string') return `${response.status}: ${status.message}`;
  } catch {
    // Not a Status: fall through.
  }
  return `${response.status} ${response.statusText}`;
}

/** A client for the current context of `kc`. */
export function demoKube(kc: KubeConfig): DemoKube {
  const kube = createKube(kc);
  const transport = createTransport(kc);
  const write = async (
    step: string,
    obj: KubeObject,
    request: (paths: { object: string; collection: string }) => HttpRequest,
  ): Promise<KubeObject> => {
    const info = await kube.resourceFor(obj.apiVersion, obj.kind);
    const { namespace, name } = obj.metadata;
    const response = await transport.request(
      request({
        object: resourcePath(info, { namespace, name }),
        collection: resourcePath(info, { namespace }),
      }),
    );
    if (response.status >= 300) throw new StepError(step, idOf(obj), serverMessage(response));
    return JSON.parse(response.body) as KubeObject;
  };
  return {
    apply: (obj) =>
      write('apply', obj, ({ object }) => ({
        method: 'PATCH',
        path: object,
        query: { fieldManager: demoFieldManager, force: 'true' },
        body: obj,
        contentType: 'application/apply-patch+yaml',
      })),
    dryRunCreate: (obj) =>
      write('create (dry run)', obj, ({ collection }) => ({
        method: 'POST',
        path: collection,
        query: { dryRun: 'All', fieldManager: demoFieldManager },
        body: obj,
      })),
    get: (apiVersion, kind, namespace, name) => kube.get({ apiVersion, kind, namespace, name }),
    list: async (apiVersion, kind, namespace, labelSelector) =>
      (
        await kube.list(apiVersion, kind, {
          namespace,
          ...(labelSelector === undefined ? {} : { labelSelector }),
        })
      ).items,
  };
}
