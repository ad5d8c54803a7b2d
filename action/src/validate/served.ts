/**
 * The pinned Kubernetes version: which kinds its API server serves with the default API
 * enablement, and whether each is namespaced. `served-apis.json` is written from the API
 * server's discovery documents by `action/scripts/served-apis.ts`.
 */
import served from './served-apis.json' with { type: 'json' };

/** The Kubernetes version rendered objects are validated against. */
export const pinnedKubernetesVersion: string = served.kubernetesVersion;

const namespacedByKind: Readonly<Record<string, boolean>> = served.namespaced;

/** Whether the pinned version serves `kind` at `apiVersion`. */
export function isServed(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in namespacedByKind;
}

/** Whether a served kind is namespaced; `undefined` for kinds the pinned version does not serve. */
export function isNamespaced(apiVersion: string, kind: string): boolean | undefined {
  return namespacedByKind[`${apiVersion}/${kind}`];
}

/** The `apiVersion`s at which the pinned version serves `kind` of `group`. */
export function servedVersionsOf(group: string, kind: string): string[] {
  const prefix = group === '' ? '' : `${group}/`;
  return Object.keys(namespacedByKind)
    .filter((key) => key.endsWith(`/${kind}`))
    .map((key) => key.slice(0, -kind.length - 1))
    .filter((apiVersion) =>
      group === ''
        ? !apiVersion.includes('/')
        : apiVersion.startsWith(prefix) && !apiVersion.slice(prefix.length).includes('/'),
    );
}

/** Whether `group` is one of the pinned version's own API groups (not a CRD's). */
export function isBuiltinGroup(group: string): boolean {
  const prefix = group === '' ? '' : `${group}/`;
  return Object.keys(namespacedByKind).some((key) =>
    group === '' ? key.split('/').length === 2 : key.startsWith(prefix),
  );
}

/** Every `apiVersion` at which the pinned version serves a kind named `kind`, in any group. */
export function servedApiVersionsOfKind(kind: string): string[] {
  return Object.keys(namespacedByKind)
    .filter((key) => key.endsWith(`/${kind}`))
    .map((key) => key.slice(0, -kind.length - 1));
}
