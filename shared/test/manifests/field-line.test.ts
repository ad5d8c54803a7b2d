import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldLine, imageFieldLine, parseFieldPath } from '@kustodian/shared/manifests/field-line';

const kustomization = [
  '# the staging overlay',
  'resources:',
  '  - ../../base',
  '  - https://example.com/remote.yaml',
  'patches:',
  '  - path: patch.yaml',
  '    target: { kind: Deployment }',
  'helmCharts:',
  '  - name: redis',
  'images:',
  '  - name: ghcr.io/acme/web # {"$imagepolicy": "flux-system:web"}',
  '    newTag: 1.4.2',
  '  - name: ghcr.io/acme/api',
  '',
].join('\n');

describe('field lines', () => {
  it('reads the jail field names as paths', () => {
    assert.deepEqual(parseFieldPath('resources[2]'), ['resources', 2]);
    assert.deepEqual(parseFieldPath('configMapGenerator[0].files[1]'), [
      'configMapGenerator',
      0,
      'files',
      1,
    ]);
    assert.deepEqual(parseFieldPath('helmCharts'), ['helmCharts']);
    assert.equal(parseFieldPath('a b'), undefined);
  });

  it('finds the line of a sequence item, a nested key and a top-level key', () => {
    assert.equal(fieldLine(kustomization, ['resources', 1]), 4);
    assert.equal(fieldLine(kustomization, ['patches', 0, 'path']), 6);
    assert.equal(fieldLine(kustomization, ['helmCharts']), 8);
  });

  it('finds nothing for a missing field, a non-matching shape or text that does not parse', () => {
    assert.equal(fieldLine(kustomization, ['resources', 5]), undefined);
    assert.equal(fieldLine(kustomization, ['symlink']), undefined);
    assert.equal(fieldLine(kustomization, ['resources', 'x']), undefined);
    assert.equal(fieldLine('resources: [a\n', ['resources', 0]), undefined);
    assert.equal(fieldLine('a: 1\n---\nb: 2\n', ['a']), undefined);
  });

  it('counts lines the same in a CRLF file', () => {
    assert.equal(fieldLine(kustomization.replaceAll('\n', '\r\n'), ['patches', 0, 'path']), 6);
  });

  it('finds an image entry field, else the entry, by the entry name', () => {
    assert.equal(imageFieldLine(kustomization, 'ghcr.io/acme/web', 'newTag'), 12);
    assert.equal(imageFieldLine(kustomization, 'ghcr.io/acme/api', 'newTag'), 13);
    assert.equal(imageFieldLine(kustomization, 'ghcr.io/acme/none', 'newTag'), undefined);
    const twice = `${kustomization}  - name: ghcr.io/acme/api\n`;
    assert.equal(imageFieldLine(twice, 'ghcr.io/acme/api', 'newTag'), undefined);
  });
});
