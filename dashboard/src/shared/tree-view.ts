/**
 * An Application's object tree cut to what a page can show: objects grouped by kind (with the
 * count of each health), at most {@link TreeLimits.perKind} shown per kind and
 * {@link TreeLimits.children} below each object, the rest counted. Pure.
 */
import type { TreeNode } from '@kustodian/query/tree';

/** How much of the tree is shown. */
export interface TreeLimits {
  perKind: number;
  children: number;
}

export const defaultTreeLimits: TreeLimits = { perKind: 25, children: 10 };

/** One shown object and how many of its children were left out. */
export interface ShownNode extends Omit<TreeNode, 'children'> {
  children: ShownNode[];
  hiddenChildren: number;
}

/** The objects of one kind. */
export interface KindGroup {
  kind: string;
  total: number;
  /** How many of each health, e.g. `{ Current: 3, InProgress: 1 }`. */
  health: Record<string, number>;
  /** How many drifted (Changed or Missing). */
  drifted: number;
  nodes: ShownNode[];
  hidden: number;
}

function shown(node: TreeNode, limits: TreeLimits): ShownNode {
  const children = node.children.slice(0, limits.children).map((c) => shown(c, limits));
  return { ...node, children, hiddenChildren: Math.max(0, node.children.length - limits.children) };
}

/** Groups the top-level objects by kind, in the tree's order of first appearance. */
export function groupTree(nodes: readonly TreeNode[], limits = defaultTreeLimits): KindGroup[] {
  const groups = new Map<string, TreeNode[]>();
  for (const node of nodes) groups.set(node.kind, [...(groups.get(node.kind) ?? []), node]);
  return [...groups].map(([kind, members]) => {
    const health: Record<string, number> = {};
    for (const m of members) health[m.health] = (health[m.health] ?? 0) + 1;
    return {
      kind,
      total: members.length,
      health,
      drifted: members.filter((m) => m.drift === 'Changed' || m.drift === 'Missing').length,
      nodes: members.slice(0, limits.perKind).map((m) => shown(m, limits)),
      hidden: Math.max(0, members.length - limits.perKind),
    };
  });
}
