/**
 * Checks the golden edits against the real kustomize: for every case, `kustomize build` of the
 * edited file renders the same container images as `kustomize edit set image` applied to the
 * original with the same updates. Fields an update does not name are passed as `*` (preserve),
 * since this editor keeps them where kustomize would replace the whole entry.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { isMap, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import { requireBinary } from '../../../test/env/binaries.ts';
import type { ImageUpdate } from '../../src/images/update.ts';
import { type GoldenCase, readGoldenCases, runCase } from './golden.ts';

const run = promisify(execFile);
const D1 = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** Images the edit must render, for the cases where it is easy to say by hand. */
const renderedByHand: Record<string, Record<string, string>> = {
  'tag-bump': { podinfo: 'ghcr.io/stefanprodan/podinfo:6.1.0' },
  'tag-to-digest': { nginx: `nginx@${D1}`, busybox: 'busybox:1.36' },
  'new-name-and-tag': { podinfo: 'ghcr.io/stefanprodan/podinfo:6.1.0' },
  'create-images': { podinfo: 'ghcr.io/stefanprodan/podinfo:6.1.0' },
  'kustomize-written': { app: 'registry.example.com/team/app:2.0.0' },
};

const cases: GoldenCase[] = await readGoldenCases();
let kustomize = '';
let workDir = '';

before(async () => {
  kustomize = await requireBinary('kustomize');
  workDir = await mkdtemp(join(tmpdir(), 'kustodian-images-'));
});

after(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

for (const golden of cases) {
  test(`${golden.name}: kustomize renders the edit as kustomize edit set image would`, async () => {
    const names = imageNames(golden.expected);
    const overlay = async (label: string, kustomization: string) => {
      const dir = join(workDir, golden.name, label);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'kustomization.yaml'), kustomization);
      await writeFile(join(dir, 'deployment.yaml'), deployment(names));
      return dir;
    };
    const beforeDir = await overlay('before', golden.original);
    const oursDir = await overlay('ours', runCase(golden).text);
    const theirsDir = join(workDir, golden.name, 'theirs');
    await cp(beforeDir, theirsDir, { recursive: true });
    const args = golden.updates.map(kustomizeArgument);
    await run(kustomize, ['edit', 'set', 'image', ...args], { cwd: theirsDir });

    const ours = await renderedImages(oursDir, names);
    assert.deepEqual(ours, await renderedImages(theirsDir, names));
    const changed = runCase(golden).changes.some((change) => change.outcome !== 'unchanged');
    const unchanged = await renderedImages(beforeDir, names);
    if (changed) assert.notDeepEqual(ours, unchanged);
    else assert.deepEqual(ours, unchanged);
    for (const [name, image] of Object.entries(renderedByHand[golden.name] ?? {})) {
      assert.equal(ours[name], image);
    }
  });
}

test('the hand-checked cases exist', () => {
  const names = new Set(cases.map((golden) => golden.name));
  for (const name of Object.keys(renderedByHand)) assert.ok(names.has(name), name);
});

/** The `set image` argument with the same result; `*` keeps what the update does not name. */
function kustomizeArgument(update: ImageUpdate): string {
  const tag = update.newTag ?? (update.digest === undefined ? '*' : undefined);
  const digest = update.digest ?? (update.newTag === undefined ? '*' : undefined);
  const tagPart = tag === undefined ? '' : `:${tag}`;
  const digestPart = digest === undefined ? '' : `@${digest}`;
  return `${update.name}=${update.newName ?? '*'}${tagPart}${digestPart}`;
}

/** The entry names of a kustomization's `images:`. */
function imageNames(kustomization: string): string[] {
  const images = parseDocument(kustomization).toJS()?.images as { name: string }[] | undefined;
  return (images ?? []).map((image) => image.name);
}

/** A Deployment with one container per image name, each running that image untagged. */
function deployment(names: readonly string[]): string {
  const containers = names.map((name, i) => `        - name: c${i}\n          image: ${name}\n`);
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: app}',
    'spec:',
    '  selector: {matchLabels: {app: app}}',
    '  template:',
    '    metadata: {labels: {app: app}}',
    '    spec:',
    `      containers:\n${containers.join('')}`,
  ].join('\n');
}

/** `kustomize build`, then each container's image keyed by the image name it started from. */
async function renderedImages(
  dir: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  const { stdout } = await run(kustomize, ['build', dir]);
  const images: Record<string, string> = {};
  for (const doc of parseAllDocuments(stdout)) {
    const containers = doc.getIn(['spec', 'template', 'spec', 'containers']);
    if (!isSeq(containers)) continue;
    for (const container of containers.items) {
      if (!isMap(container)) continue;
      const index = Number(String(container.get('name')).slice(1));
      images[names[index] ?? String(index)] = String(container.get('image'));
    }
  }
  return images;
}
