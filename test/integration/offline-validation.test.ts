/**
 * Offline validation accepts exactly what the API server accepts. Every case of
 * `testdata/offline-validation/cases/` (one YAML document each; a file named `accepted--*` or
 * `refused--*` after what the server does with its cases) is validated by the Action's
 * validator and dry-run applied to the real API server; the verdicts must agree on every case.
 * The CRDs of `testdata/offline-validation/crds/` are installed for the run under a group
 * unique to it, and deleted afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseManifests } from '@kustodian/shared/manifests/parse';
import { createSchemaCompiler, customKindsOf } from '../../action/src/validate/crd.ts';
import type { CrdCatalog } from '../../action/src/validate/validate.ts';
import { localEnv } from '../env/for-tests.ts';
import {
  forgetDiscovery,
  offlineVerdict,
  serverVerdict,
  type Verdict,
} from './offline-validation.ts';
import { rawRequest } from './raw-api.ts';

const testdata = join(import.meta.dirname, 'testdata', 'offline-validation');
const placeholderGroup = 'differential.kustodian.test';
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/**
 * Cases where the offline validator knowingly accepts what the server refuses, and why. Only
 * this direction is ever tolerated: a CI failure the server would not give is never acceptable.
 * Each entry is printed on every run, and an entry whose case comes to agree fails the test, so
 * the list cannot go stale.
 */
const knownFalsePasses: Readonly<Record<string, string>> = {
  'refused--micro-time-without-microseconds.yaml#1':
    'MicroTime fields (Lease times) are plain strings in the built-in schemas',
  'refused--unknown-field-typed.yaml#1':
    'the built-in schemas of kubernetes-models do not close objects, so an undeclared field of a built-in kind is not refused offline',
};

interface Case {
  readonly name: string;
  readonly yaml: string;
  readonly expected: 'accepted' | 'refused';
}

async function readCases(group: string): Promise<Case[]> {
  const dir = join(testdata, 'cases');
  const cases: Case[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()) {
    const expected = file.startsWith('accepted--') ? 'accepted' : 'refused';
    const text = (await readFile(join(dir, file), 'utf8')).replaceAll(placeholderGroup, group);
    text
      .split(/^---\s*$/m)
      .filter((doc) => doc.trim() !== '')
      .forEach((yaml, index) => {
        cases.push({ name: `${file}#${index + 1}`, yaml, expected });
      });
  }
  return cases;
}

async function readCrds(group: string): Promise<Record<string, unknown>[]> {
  const dir = join(testdata, 'crds');
  const crds: Record<string, unknown>[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = (await readFile(join(dir, file), 'utf8')).replaceAll(placeholderGroup, group);
    for (const parsed of parseManifests(text, file)) crds.push(parsed.object);
  }
  return crds;
}

function nameOf(object: Record<string, unknown>): string {
  return String((object.metadata as { name: string }).name);
}

describe('offline validation against the API server', () => {
  const env = localEnv();
  const group = `g${randomBytes(3).toString('hex')}.${placeholderGroup}`;
  let crds: Record<string, unknown>[] = [];
  let namespace = '';
  let catalog: CrdCatalog;

  before(async () => {
    const { kc } = env();
    namespace = await env().createNamespace('offline-validation');
    crds = await readCrds(group);
    const compiler = createSchemaCompiler();
    catalog = {
      compiler,
      repositoryKinds: crds.flatMap((crd) => customKindsOf(crd, 'testdata', compiler)),
    };
    for (const crd of crds) {
      const res = await rawRequest(kc, 'POST', crdPath, crd);
      if (res.status >= 300) throw new Error(`create CRD ${nameOf(crd)}: ${res.text}`);
    }
    for (const crd of crds) {
      for (;;) {
        const res = await rawRequest(kc, 'GET', `${crdPath}/${nameOf(crd)}`);
        const conditions =
          (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status
            ?.conditions ?? [];
        if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
        await sleep(100);
      }
    }
    forgetDiscovery();
  });

  after(async () => {
    const { kc } = env();
    for (const crd of crds) await rawRequest(kc, 'DELETE', `${crdPath}/${nameOf(crd)}`);
    await rawRequest(kc, 'DELETE', `/api/v1/namespaces/${namespace}`);
  });

  it('gives the verdict of the API server on every case of the corpus', async () => {
    const { kc } = env();
    const cases = await readCases(group);
    assert.ok(cases.length > 0, 'the corpus is empty');
    const disagreements: string[] = [];
    const tolerated: string[] = [];
    const mislabelled: string[] = [];
    for (const item of cases) {
      const offline = await offlineVerdict(item.yaml, catalog);
      const object = parseManifests(item.yaml, item.name)[0]?.object;
      assert.ok(object, `${item.name} holds no object`);
      const server = await serverVerdict(kc, object, namespace);
      const report = `${item.name}\n${item.yaml.trim()}\n  offline: ${show(offline)}\n  server:  ${show(server)}`;
      const known = knownFalsePasses[item.name];
      if (known !== undefined && offline.accepted && !server.accepted) {
        tolerated.push(`${report}\n  tolerated: ${known}`);
      } else if (known !== undefined) {
        disagreements.push(`${report}\n  listed as a known false pass, but is not one`);
      } else if (offline.accepted !== server.accepted) {
        disagreements.push(report);
      }
      if (server.accepted !== (item.expected === 'accepted')) {
        mislabelled.push(`${item.name}: expected ${item.expected}, server: ${show(server)}`);
      }
    }
    if (tolerated.length > 0) {
      console.log(`${tolerated.length} known false passes (offline accepts, server refuses):\n`);
      console.log(tolerated.join('\n\n'));
    }
    if (disagreements.length > 0) {
      console.log(`${disagreements.length} of ${cases.length} cases disagree:\n`);
      console.log(disagreements.join('\n\n'));
    }
    if (mislabelled.length > 0) console.log(`\nmislabelled cases:\n${mislabelled.join('\n')}`);
    assert.deepEqual(disagreements, [], 'offline and server verdicts disagree');
    assert.deepEqual(mislabelled, [], 'the corpus says something the server does not');
  });
});

function show(verdict: Verdict): string {
  return `${verdict.accepted ? 'accepted' : 'refused'}${verdict.message ? ` (${verdict.message})` : ''}`;
}
