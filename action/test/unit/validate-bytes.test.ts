import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireBinary } from '../../../test/env/binaries.ts';
import { createSchemaCompiler } from '../../src/validate/crd.ts';
import { errorsOf } from '../../src/validate/problems.ts';
import { validateRendered } from '../../src/validate/validate.ts';

const catalog = { compiler: createSchemaCompiler(), repositoryKinds: [] };

async function errorsFor(yaml: string): Promise<string[]> {
  const rendered = [{ overlay: 'app', file: 'app/kustomization.yaml', yaml, problems: [] }];
  const result = await validateRendered(rendered, catalog);
  return errorsOf(result.problems).map((problem) => problem.message);
}

const folded = Buffer.alloc(120, 7).toString('base64').replace(/.{76}/g, '$&\n');

/** What real kustomize renders for a configMapGenerator of one binary file of 300 bytes. */
async function kustomizeBinaryConfigMap(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bytes-'));
  try {
    const blob = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 200) % 256));
    await writeFile(join(dir, 'blob.bin'), blob);
    await writeFile(
      join(dir, 'kustomization.yaml'),
      'configMapGenerator:\n  - name: blob\n    files: [blob.bin]\n',
    );
    const kustomize = await requireBinary('kustomize');
    return (await promisify(execFile)(kustomize, ['build', dir])).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('byte fields are checked as the API server decodes them', () => {
  it('accepts the binaryData of a kustomize configMapGenerator with a binary file', async () => {
    const yaml = await kustomizeBinaryConfigMap();
    assert.match(yaml, /binaryData:\n {2}blob\.bin: \|\n {4}\S+\n {4}\S+/, 'kustomize folds it');
    assert.deepEqual(await errorsFor(yaml), []);
  });

  it('accepts binaryData that kustomize folded over several lines', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob}\nbinaryData:\n  blob.bin: |\n${folded
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n')}\n`;
    assert.deepEqual(await errorsFor(yaml), []);
  });

  it('accepts Secret data with CRLF line breaks', async () => {
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  key: "YWJj\\r\\nZGVm"\n`;
    assert.deepEqual(await errorsFor(yaml), []);
  });

  it('refuses base64 with a space, without its padding, or outside the alphabet', async () => {
    for (const value of ['YWJj ZGVm', 'YQ', 'YQ=', 'YW*j']) {
      const yaml = `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  key: "${value}"\n`;
      const errors = await errorsFor(yaml);
      assert.equal(errors.length, 1, value);
      assert.match(errors[0] ?? '', /data\.key: expected a byte/);
    }
  });
});
