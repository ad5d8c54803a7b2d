/**
 * What an Application points at inside a repository (a branch, a tag or a commit), and the pure
 * rules around it: which names are acceptable, what `git ls-remote` is asked for, how its answer
 * becomes one commit, and how a revision is written (`main@sha1:<sha>`, as Flux writes it).
 */

/** The kinds of reference a source can name. */
export const refKinds = ['branch', 'tag', 'commit'] as const;

/** One of {@link refKinds}. */
export type RefKind = (typeof refKinds)[number];

/** A branch or tag by its short name (`main`, `v1.2.0`), or a commit by its full hash. */
export interface SourceRef {
  readonly kind: RefKind;
  readonly name: string;
}

const fullCommit = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** Whether `name` is a full SHA-1 (40 hex digits) or SHA-256 (64) object name. */
export function isFullCommit(name: string): boolean {
  return fullCommit.test(name);
}

/** The hash algorithm a full commit name belongs to, as revisions write it. */
export function hashAlgorithmOf(commit: string): 'sha1' | 'sha256' {
  return commit.length === 64 ? 'sha256' : 'sha1';
}

/**
 * Why `ref` is refused, or `undefined` when it is acceptable. Branch and tag names follow
 * `git check-ref-format`, and a leading `-` is refused so that a name can never be read as an
 * option; commits must be full hashes, since an abbreviation cannot be fetched by itself.
 */
export function refProblem(ref: SourceRef): string | undefined {
  if (ref.kind === 'commit') {
    return isFullCommit(ref.name)
      ? undefined
      : `commit ${JSON.stringify(ref.name)} is not a full commit hash (40 or 64 hex digits)`;
  }
  const why = refNameProblem(ref.name);
  return why === undefined ? undefined : `${ref.kind} ${JSON.stringify(ref.name)} ${why}`;
}

function refNameProblem(name: string): string | undefined {
  if (name === '' || name === '@') return 'is empty or @';
  if (name.startsWith('-')) return 'starts with -';
  if (name.startsWith('refs/')) return 'must be a short name, without refs/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return 'contains a space, control or ~^:?*[\\';
  if (name.includes('..') || name.includes('@{') || name.includes('//')) {
    return 'contains .., @{ or //';
  }
  if (name.endsWith('/') || name.endsWith('.')) return 'ends with / or .';
  const components = name.split('/');
  if (components.some((part) => part.startsWith('.') || part.endsWith('.lock'))) {
    return 'has a component starting with . or ending with .lock';
  }
  return undefined;
}

/**
 * Why a branch or tag was not found, naming the Application field to set: the default
 * `branch: main` of an empty repository, or of one whose default branch is another, lands here.
 */
export function missingRefMessage(ref: SourceRef): string {
  const field = `spec.source.ref.${ref.kind}`;
  const empty = ref.kind === 'branch' ? ' (the repository may be empty)' : '';
  return `${ref.kind} ${JSON.stringify(ref.name)} does not exist in the repository${empty}; set ${field} to one that does`;
}

/** The full ref names `git ls-remote` is asked for; a tag's peeled form names its commit. */
export function lsRemotePatterns(ref: SourceRef): string[] {
  if (ref.kind === 'branch') return [`refs/heads/${ref.name}`];
  if (ref.kind === 'tag') return [`refs/tags/${ref.name}`, `refs/tags/${ref.name}^{}`];
  return [];
}

/**
 * The commit a branch or tag points at, from `git ls-remote` output (`<sha>\t<ref>` lines), or
 * `undefined` when the ref is not there. git matches patterns by their tail, so only exact names
 * count; for an annotated tag the peeled line (`^{}`) wins, since the tag object is not a commit.
 */
export function commitFromLsRemote(output: string, ref: SourceRef): string | undefined {
  const [plain, peeled] = lsRemotePatterns(ref);
  const found = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [sha, name] = line.trim().split('\t');
    if (sha !== undefined && name !== undefined && isFullCommit(sha)) {
      found.set(name, sha.toLowerCase());
    }
  }
  return (peeled === undefined ? undefined : found.get(peeled)) ?? found.get(plain ?? '');
}

/**
 * The revision string of a commit reached through `ref`: `<branch|tag>@sha1:<sha>`, or
 * `sha1:<sha>` when the ref is the commit itself.
 */
export function revisionOf(ref: SourceRef, commit: string): string {
  const pinned = `${hashAlgorithmOf(commit)}:${commit.toLowerCase()}`;
  return ref.kind === 'commit' ? pinned : `${ref.name}@${pinned}`;
}
