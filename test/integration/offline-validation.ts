/**
 * The two judges of the offline-validation differential test: the Action's validator (the same
 * `validateRendered` the Action runs) and the real API server (a server-side apply with
 * `dryRun=All`, as the reconciler applies). Each returns a verdict with its message.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { errorsOf } from '../../action/src/validate/problems.ts';
import type { CrdCatalog } from '../../action/src/validate/validate.ts';
import { validateRendered } from '../../action/src/validate/validate.ts';
import { rawRequest } from './raw-api.ts';

/** What a judge said of one object. */
export interface Verdict {
  readonly accepted: boolean;
  readonly message: string;
}

/** The Action's verdict on one rendered object. */
export async function offlineVerdict(yaml: string, catalog: CrdCatalog): Promise<Verdict> {
  const rendered = [{ overlay: 'case', file: 'case/kustomization.yaml', yaml, problems: [] }];
  const errors = errorsOf((await validateRendered(rendered, catalog)).problems);
  return { accepted: errors.length === 0, message: errors.map((e) => e.message).join('; ') };
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

const discovered = new Map<string, Promise<Map<string, Resource>>>();

async function resourcesOf(kc: KubeConfig, apiVersion: string): Promise<Map<string, Resource>> {
  let found = discovered.get(apiVersion);
  if (found === undefined) {
    found = (async () => {
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const res = await rawRequest(kc, 'GET', base);
      if (res.status !== 200) throw new Error(`discover ${apiVersion}: HTTP ${res.status}`);
      const list = (
        res.body as { resources: { name: string; kind: string; namespaced: boolean }[] }
      ).resources;
      return new Map(
        list
          .filter((r) => !r.name.includes('/'))
          .map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]),
      );
    })();
    discovered.set(apiVersion, found);
  }
  return found;
}

/** Forgets what discovery said (after CRDs were installed). */
export function forgetDiscovery(): void {
  discovered.clear();
}

/** The API server's verdict: a server-side apply of `object` with `dryRun=All`. */
export async function serverVerdict(
  kc: KubeConfig,
  object: Record<string, unknown>,
  namespace: string,
): Promise<Verdict> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const resource = (await resourcesOf(kc, apiVersion)).get(kind);
  if (resource === undefined)
    return { accepted: false, message: `${apiVersion} ${kind} not served` };
  const metadata = { ...(object.metadata as Record<string, unknown>) };
  if (resource.namespaced) metadata.namespace = namespace;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const scope = resource.namespaced ? `/namespaces/${namespace}` : '';
  const name = encodeURIComponent(String(metadata.name));
  const path = `${base}${scope}/${resource.plural}/${name}?fieldManager=differential&force=true&dryRun=All&fieldValidation=Strict`;
  const res = await rawRequest(
    kc,
    'PATCH',
    path,
    { ...object, metadata },
    'application/apply-patch+yaml',
  );
  const message =
    res.status < 300 ? '' : String((res.body as { message?: unknown }).message ?? res.text);
  return { accepted: res.status < 300, message: `HTTP ${res.status} ${message}`.trim() };
}
