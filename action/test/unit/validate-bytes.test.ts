import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

describe('byte fields are checked as the API server decodes them', () => {
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
