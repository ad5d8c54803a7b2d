import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GoldenCase, lineDiff, readGoldenCases, runCase } from './golden.ts';

const cases: GoldenCase[] = await readGoldenCases();

/** A line an image edit may touch: an `images:` key, an entry field, or a flow entry. */
const IMAGE_LINE = /^\s*(?:-\s*)?(?:\{\s*)?(?:images|name|newName|newTag|digest)\s*:/;

test('there are at least eight golden cases', () => {
  assert.ok(cases.length >= 8, `found ${cases.length}: ${cases.map((c) => c.name).join(', ')}`);
});

for (const golden of cases) {
  describe(golden.name, () => {
    test('the edit gives expected.yaml byte for byte', () => {
      assert.equal(runCase(golden).text, golden.expected);
    });

    test('every line that differs is an image line', () => {
      const { removed, added } = lineDiff(golden.original, runCase(golden).text);
      for (const line of [...removed, ...added]) assert.match(line, IMAGE_LINE);
    });

    test('applying the same updates again changes nothing', () => {
      const again = runCase(golden, golden.expected);
      assert.equal(again.text, golden.expected);
      assert.deepEqual(
        again.changes.filter((change) => change.outcome !== 'unchanged'),
        [],
      );
    });
  });
}
