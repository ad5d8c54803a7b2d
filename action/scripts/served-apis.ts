/**
 * Writes `action/src/validate/served-apis.json`: every kind a Kubernetes API server serves
 * itself with its default API enablement, from its discovery documents, with whether it is
 * namespaced. Groups that CustomResourceDefinitions or aggregated API servers add are left
 * out, so a CRD installed on the server it reads never becomes a built-in kind.
 *
 * Run against the pinned API server of the local environment whenever the pinned Kubernetes
 * version changes: `node action/scripts/served-apis.ts <kubeconfig>`. Then give every kind it
 * lists, and no other, its `kubernetes-models` module in `src/validate/builtin-kinds.ts`; the
 * unit test of the served APIs fails until the two agree.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const kubeconfig = process.argv[2];
if (!kubeconfig) throw new Error('usage: node action/scripts/served-apis.ts <kubeconfig>');

const get = (path: string): unknown =>
  JSON.parse(
    execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', path], {
      encoding: 'utf8',
    }),
  );

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

interface ApiServiceList {
  items: { spec: { group?: string; service?: unknown } }[];
}

// An APIService with a service behind it is an aggregated server, and every CRD's group is
// registered as an APIService too (local, but also listed as a CRD): neither is Kubernetes' own.
const crds = get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions') as {
  items: { spec: { group: string } }[];
};
const foreign = new Set(crds.items.map((crd) => crd.spec.group));
const apiServices = get('/apis/apiregistration.k8s.io/v1/apiservices') as ApiServiceList;
for (const service of apiServices.items) {
  if (service.spec.service != null && service.spec.group) foreign.add(service.spec.group);
}

const version = get('/version') as { gitVersion: string };
const groupVersions = ['v1'];
const groups = get('/apis') as {
  groups: { name: string; versions: { groupVersion: string }[] }[];
};
for (const group of groups.groups) {
  if (foreign.has(group.name)) continue;
  for (const v of group.versions) groupVersions.push(v.groupVersion);
}

const namespaced: Record<string, boolean> = {};
for (const gv of groupVersions.sort()) {
  const list = get(gv === 'v1' ? '/api/v1' : `/apis/${gv}`) as ResourceList;
  for (const resource of list.resources) {
    if (resource.name.includes('/')) continue; // subresources
    namespaced[`${gv}/${resource.kind}`] = resource.namespaced;
  }
}
const out = { kubernetesVersion: version.gitVersion, namespaced };
writeFileSync(
  new URL('../src/validate/served-apis.json', import.meta.url),
  `${JSON.stringify(out, null, 2)}\n`,
);
const skipped = foreign.size === 0 ? '' : ` (left out: ${[...foreign].sort().join(', ')})`;
console.log(`${Object.keys(namespaced).length} kinds served by ${version.gitVersion}${skipped}`);
