import assert from 'node:assert/strict';
import { isAbsolute, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { inside } from '../../src/kustomize/read.ts';

/** What `inside` answered before its prefix test: `path.relative`'s verdict. */
function byRelative(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

describe('inside', () => {
  it('agrees with path.relative on normalized and unnormalized paths', () => {
    const roots = ['/', '/repo', '/repo/', '/re', '/repo/./a', '/repo//a', '/repo/a/..'];
    const paths = [
      '/',
      '/repo',
      '/repo/',
      '/repo/a',
      '/repo/a/b',
      '/repos',
      '/re',
      '/repo/../etc',
      '/repo/./a',
      '/repo//a',
      '/repo/a/..',
      '/repo/..a',
      '/repo/.a',
    ];
    for (const root of roots) {
      for (const path of paths) {
        assert.equal(inside(root, path), byRelative(root, path), `${path} in ${root}`);
      }
    }
  });
});
