/**
 * A unified diff of two texts, line by line, as `diff -u` prints it: `@@ -a,b +c,d @@` hunks
 * with three lines of context. The common head and tail are cut first; what is left is matched
 * by a longest common subsequence, which is exact for the small YAML documents of one object.
 */

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Above this many cells the middle is shown as removed, then added, without matching. */
const maxCells = 4_000_000;

/** The lines of `before` and `after` in order, each kept, removed or added. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  )
    tail++;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  const kept = (text: string): DiffLine => ({ op: ' ', text });
  return [
    ...before.slice(0, head).map(kept),
    ...middle(a, b),
    ...before.slice(before.length - tail).map(kept),
  ];
}

function middle(a: readonly string[], b: readonly string[]): DiffLine[] {
  if (a.length * b.length > maxCells)
    return [
      ...a.map((text): DiffLine => ({ op: '-', text })),
      ...b.map((text): DiffLine => ({ op: '+', text })),
    ];
  // lcs[i * width + j]: the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++] ?? '' });
      j++;
    } else if (
      i < a.length &&
      (j >= b.length || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))
    )
      // Removals before additions, as `diff -u` prints a changed line.
      out.push({ op: '-', text: a[i++] ?? '' });
    else out.push({ op: '+', text: b[j++] ?? '' });
  }
  return out;
}

/**
 * The unified diff of `before` and `after` under the headers `--- from` and `+++ to`; the
 * empty string when they are the same.
 */
export function unifiedDiff(before: string, after: string, from: string, to: string): string {
  const split = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const lines = diffLines(split(before), split(after));
  if (lines.every((line) => line.op === ' ')) return '';
  const context = 3;
  const changed = lines.flatMap((line, index) => (line.op === ' ' ? [] : [index]));
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(lines.length, index + context + 1);
    const last = hunks.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else hunks.push([start, end]);
  }
  const out = [`--- ${from}`, `+++ ${to}`];
  for (const [start, end] of hunks) {
    const before = lines.slice(0, start);
    const oldStart = before.filter((l) => l.op !== '+').length;
    const newStart = before.filter((l) => l.op !== '-').length;
    const body = lines.slice(start, end);
    const oldCount = body.filter((l) => l.op !== '+').length;
    const newCount = body.filter((l) => l.op !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const line of body) out.push(`${line.op}${line.text}`);
  }
  return `${out.join('\n')}\n`;
}

/** `start,count` as `diff -u` writes it (1-based; an empty range names the line before it). */
function range(start: number, count: number): string {
  return `${count === 0 ? start : start + 1},${count}`;
}
