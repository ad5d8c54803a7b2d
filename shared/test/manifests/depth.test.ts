import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findTooDeep } from '@kustodian/shared/manifests/depth';

/** `levels` nested mappings: `{ a: { a: ... { a: 'leaf' } } }`. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

describe('findTooDeep', () => {
  it('counts the root collection as level 1 and scalars as no level', () => {
    assert.equal(findTooDeep('text', 0), undefined);
    assert.deepEqual(findTooDeep({}, 0), []);
    assert.equal(findTooDeep(nested(3), 3), undefined);
    assert.deepEqual(findTooDeep(nested(4), 3), ['a', 'a', 'a']);
  });

  it('returns the path through lists and mappings to the first value too deep', () => {
    const value = { spec: { items: [{ ok: 1 }, { deep: { deeper: {} } }] } };
    assert.deepEqual(findTooDeep(value, 4), ['spec', 'items', 1, 'deep']);
    assert.deepEqual(findTooDeep(value, 5), ['spec', 'items', 1, 'deep', 'deeper']);
    assert.equal(findTooDeep(value, 6), undefined);
  });

  it('walks a hundred thousand levels without exhausting the stack', () => {
    assert.equal(findTooDeep(nested(100_000), 64)?.length, 64);
  });

  it('ends on a value that contains itself', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.equal(findTooDeep(loop, 10)?.length, 10);
  });
});
