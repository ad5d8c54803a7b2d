/**
 * How deeply a parsed value nests. Deep nesting costs stack in every recursive consumer
 * (JSON encoding, diffing, the API server's decoder), so parsing refuses it early.
 */

/** A step on the way down, linked to its parent so paths cost nothing until one is needed. */
interface Step {
  value: unknown;
  depth: number;
  key?: string | number;
  parent?: Step;
}

/**
 * The path (from the root) of the first value nested deeper than `maxDepth`, if any; the root
 * mapping or sequence is level 1. Walks without recursion, so no input can exhaust the stack,
 * and stops at the limit, so a value that refers to itself (through a YAML alias) ends too.
 */
export function findTooDeep(root: unknown, maxDepth: number): (string | number)[] | undefined {
  // Nearly every value is within the limit: say so without building the walk's steps.
  if (!deeperThan(root, 0, maxDepth)) return undefined;
  const stack: Step[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { value } = step;
    if (typeof value !== 'object' || value === null) continue;
    if (step.depth >= maxDepth) return pathOf(step);
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, child] of entries) {
      stack.push({ value: child, depth: step.depth + 1, key, parent: step });
    }
  }
  return undefined;
}

/**
 * Whether a value below `value` (which sits at `depth`) is nested deeper than `maxDepth`. It
 * recurses, but never past `maxDepth` levels, so the stack it needs is bounded by the limit.
 */
function deeperThan(value: unknown, depth: number, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= maxDepth) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (deeperThan(child, depth + 1, maxDepth)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (Object.hasOwn(record, key) && deeperThan(record[key], depth + 1, maxDepth)) return true;
  }
  return false;
}

function pathOf(step: Step): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Step | undefined = step; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return path;
}
