/**
 * Writes `action/src/validate/served-apis.json`: every kind a Kubernetes API server serves with
 * its default API enablement, from its discovery documents, with whether it is namespaced.
 *
 * Run against the pinned API server of the local environment whenever the pinned Kubernetes
 * version changes: `node action/scripts/served-apis.ts <kubeconfig>`.
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

const version = get('/version') as { gitVersion: string };
const groupVersions = ['v1'];
const groups = get('/apis') as { groups: { versions: { groupVersion: string }[] }[] };
for (const group of groups.groups)
  for (const v of group.versions) groupVersions.push(v.groupVersion);

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
console.log(`${Object.keys(namespaced).length} kinds served by ${version.gitVersion}`);
