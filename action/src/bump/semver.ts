/**
 * Comparing tags as semantic versions, to refuse downgrades. Tags are compared only when both
 * read as `[v]MAJOR.MINOR.PATCH[-prerelease][+build]`; anything else (a commit hash, `stable`)
 * has no order and is never called a downgrade.
 */

/** A parsed version. */
interface Version {
  readonly core: readonly [number, number, number];
  readonly prerelease: readonly string[];
}

const pattern =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** The version a tag spells, or `undefined` when it is not a semantic version. */
export function parseVersionTag(tag: string): Version | undefined {
  const match = pattern.exec(tag);
  if (!match) return undefined;
  const core: [number, number, number] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return { core, prerelease: match[4] === undefined ? [] : match[4].split('.') };
}

/**
 * `-1`, `0` or `1` as `a` is lower than, equal to or higher than `b` by semver precedence;
 * `undefined` when either is not a semantic version.
 */
export function compareVersionTags(a: string, b: string): number | undefined {
  const x = parseVersionTag(a);
  const y = parseVersionTag(b);
  if (x === undefined || y === undefined) return undefined;
  for (let i = 0; i < 3; i++) {
    const diff = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return comparePrerelease(x.prerelease, y.prerelease);
}

/** A version without prerelease ranks above one with; identifiers compare numerically when numeric. */
function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const p = a[i];
    const q = b[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Math.sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}
