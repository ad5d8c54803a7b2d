/**
 * What the emulator keeps besides git: tokens, pull requests, which commits GitHub signed, and a
 * log of every request, so tests can assert on what the client really asked.
 */
import { createHash } from 'node:crypto';
import type { RepositoryStore } from './repositories.ts';

/** What a token may do: `read` gets 403/`FORBIDDEN` on every write. */
export const tokenAccess = ['write', 'read'] as const;
export type TokenAccess = (typeof tokenAccess)[number];

/** A token the emulator accepts, and the account it stands for. */
export interface EmulatorToken {
  readonly token: string;
  readonly login: string;
  readonly access: TokenAccess;
}

/**
 * Whether `user` stands for a GitHub App (a bot): GitHub's installation tokens, the workflow's
 * `GITHUB_TOKEN` among them, start with `ghs_`; a person's tokens do not.
 */
export function isApp(user: EmulatorToken): boolean {
  return user.token.startsWith('ghs_');
}

/** The states of a pull request. */
export const pullRequestStates = ['open', 'closed'] as const;
export type PullRequestState = (typeof pullRequestStates)[number];

/** One pull request, as stored (`head` and `base` are branch names of the same repository). */
export interface PullRequestRecord {
  readonly number: number;
  title: string;
  body: string | null;
  readonly head: string;
  base: string;
  state: PullRequestState;
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
}

/** One answered request. */
export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** For `/graphql`: the `type` of each error in the answer (`STALE_DATA`, ...). */
  readonly graphqlErrors: readonly string[];
  /** The body a write sent (parsed JSON), so tests can see what was asked, such as `force`. */
  readonly body?: unknown;
}

/** The emulator's memory, shared by every route. */
export class EmulatorState {
  /** Commits GitHub signed: made through `createCommitOnBranch`, or by an app through the API. */
  readonly signed = new Set<string>();
  readonly requests: EmulatorRequest[] = [];
  readonly #pulls = new Map<string, PullRequestRecord[]>();

  /** Pull requests of a repository, by number. */
  pulls(fullName: string): PullRequestRecord[] {
    let list = this.#pulls.get(fullName);
    if (!list) {
      list = [];
      this.#pulls.set(fullName, list);
    }
    return list;
  }

  /** Adds a pull request with the next number. */
  addPull(fullName: string, fields: Omit<PullRequestRecord, 'number'>): PullRequestRecord {
    const list = this.pulls(fullName);
    const record = { ...fields, number: list.length + 1 };
    list.push(record);
    return record;
  }

  /**
   * GitHub closes an open pull request whose head branch is deleted or moved to a commit the
   * base already contains, or whose base branch comes to contain its head (merged by a push):
   * nothing is left to merge. Call after every change of `branch`.
   */
  async branchMoved(store: RepositoryStore, fullName: string, branch: string): Promise<void> {
    for (const pull of this.pulls(fullName)) {
      if (pull.state !== 'open' || (pull.head !== branch && pull.base !== branch)) continue;
      const head = await store.head(fullName, pull.head);
      const base = await store.head(fullName, pull.base);
      const nothingToMerge =
        head === undefined ||
        (base !== undefined && (await store.isAncestor(fullName, head, base)));
      if (nothingToMerge) {
        pull.state = 'closed';
        pull.updatedAt = new Date().toISOString();
      }
    }
  }
}

/** A stable numeric id for a name, as GitHub gives every object one. */
export function numericId(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** A GitHub-like global node id. */
export function nodeId(kind: string, text: string): string {
  return Buffer.from(`${kind}:${text}`).toString('base64url');
}
