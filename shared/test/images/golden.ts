/**
 * The golden cases in `testdata/<case>/`: `original.yaml`, the `updates.txt` to apply (in the
 * action's `images` input format) and the `expected.yaml` result, byte for byte. Every case
 * runs with adding allowed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImageEditResult, setImages } from '../../src/images/kustomization.ts';
import { type ImageUpdate, parseImageUpdates } from '../../src/images/update.ts';

/** Where the cases live. */
export const testdataDir = join(import.meta.dirname, 'testdata');

/** One golden case, read from disk. */
export interface GoldenCase {
  readonly name: string;
  readonly original: string;
  readonly expected: string;
  readonly updates: readonly ImageUpdate[];
}

/** Every case, sorted by name. */
export async function readGoldenCases(): Promise<GoldenCase[]> {
  const entries = await readdir(testdataDir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  return Promise.all(
    names.sort().map(async (name) => {
      const read = (file: string) => readFile(join(testdataDir, name, file), 'utf8');
      const [original, expected, updates] = await Promise.all([
        read('original.yaml'),
        read('expected.yaml'),
        read('updates.txt'),
      ]);
      return {
        name,
        original,
        expected,
        updates: parseImageUpdates(updates, `${name}/updates.txt`),
      };
    }),
  );
}

/** Applies a case's updates to `text` (its original by default), adding allowed. */
export function runCase(golden: GoldenCase, text = golden.original): ImageEditResult {
  return setImages(text, golden.updates, { path: `${golden.name}/original.yaml`, allowAdd: true });
}

/** Lines only in `before` and lines only in `after`, by a longest-common-subsequence diff. */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const common: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = common[i]!;
      row[j] =
        a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, row[j + 1]!);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || common[i]![j + 1]! >= common[i + 1]![j]!)) {
      added.push(b[j++]!);
    } else {
      removed.push(a[i++]!);
    }
  }
  return { removed, added };
}
