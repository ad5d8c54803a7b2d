/**
 * The checkouts every Application renders from, fetched once per repository and commit.
 *
 * Checkouts live at `<workDir>/<key>/<commit>`, where the key is a digest of the URL and of the
 * credentials (keyed with a random per-store secret): Applications that read the same repository
 * with the same Secret share one fetch and one directory, and a caller never receives files its
 * own credentials were not checked against. Concurrent callers share the in-flight fetch; later
 * callers reuse the directory. Each checkout is reference-counted: `release()` drops a
 * reference, and the directory is removed when the last one goes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckoutResult, checkoutCommit } from './checkout.ts';
import { credentialsFingerprint } from './credentials.ts';
import { SourceError } from './failure.ts';
import { isFullCommit, revisionOf } from './refs.ts';
import {
  type PreparedSource,
  prepareSource,
  type SourceDeps,
  type SourceRequest,
} from './request.ts';

/** One commit on disk, as an Application sees it. */
export interface Artifact {
  /** The repository, redacted. */
  readonly url: string;
  /** The full commit hash. */
  readonly commit: string;
  /** `<branch|tag>@sha1:<sha>`, or `sha1:<sha>` for a pinned commit. */
  readonly revision: string;
  /** The checkout: the commit's files, without `.git`. */
  readonly dir: string;
  /** The commit message (its trailers carry the action's metadata). */
  readonly message: string;
  /** The commit's committer time, RFC 3339 in UTC, read with the message at the fetch. */
  readonly committedAt?: string;
}

/** Counters for metrics; they only grow, except `checkouts`. */
export interface SourceStats {
  /** Fetches started. */
  readonly fetches: number;
  /** Checkouts served by a fetch already done or in flight. */
  readonly cacheHits: number;
  /** Fetches that failed. */
  readonly failures: number;
  /** Checkouts currently on disk or being fetched. */
  readonly checkouts: number;
}

/** Shared, reference-counted checkouts. */
export interface SourceStore {
  /**
   * A checkout of `commit` (as resolved for `request`), holding one reference until released.
   * @throws SourceError `fetch <redacted url>: ...` with a reason, as `resolveRevision` does,
   *   plus `TooLarge` over the size cap.
   */
  checkout(request: SourceRequest, commit: string): Promise<Artifact>;
  /** Drops the reference `artifact` holds; releasing twice, or a foreign artifact, does nothing. */
  release(artifact: Artifact): Promise<void>;
  stats(): SourceStats;
}

/** How to build a {@link SourceStore}. */
export interface SourceStoreOptions extends SourceDeps {
  /** A directory only the store uses; checkouts left by an earlier process are removed. */
  readonly workDir: string;
  /** The most bytes one checkout's files may add up to. */
  readonly maxBytes: number;
}

interface Entry {
  refs: number;
  readonly ready: Promise<CheckoutResult>;
}

const keyDirName = /^[0-9a-f]{32}$/;

/** Creates the store, emptying what an earlier process left in `workDir`. */
export async function createSourceStore(options: SourceStoreOptions): Promise<SourceStore> {
  await mkdir(options.workDir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(options.workDir)) {
    if (keyDirName.test(name)) {
      await rm(join(options.workDir, name), { recursive: true, force: true });
    }
  }
  return new CheckoutStore(options);
}

class CheckoutStore implements SourceStore {
  readonly #options: SourceStoreOptions;
  /** Keys checkouts by URL and credentials without revealing either. */
  readonly #secret = randomBytes(32);
  /** Checkouts on disk or being fetched, by directory. */
  readonly #entries = new Map<string, Entry>();
  /** Directories being removed; a new fetch into one waits for its removal. */
  readonly #removals = new Map<string, Promise<void>>();
  /** Artifacts handed out and not yet released. */
  readonly #issued = new WeakSet<Artifact>();
  readonly #counts = { fetches: 0, cacheHits: 0, failures: 0 };

  constructor(options: SourceStoreOptions) {
    this.#options = options;
  }

  async checkout(request: SourceRequest, commit: string): Promise<Artifact> {
    const source = prepareSource(request, this.#options.git.policy);
    if (!isFullCommit(commit)) {
      const why = `${JSON.stringify(commit)} is not a full commit hash`;
      throw new SourceError(source.url.redacted, 'InvalidSource', why);
    }
    const sha = commit.toLowerCase();
    const dir = join(this.#options.workDir, this.#keyOf(source), sha);
    let entry = this.#entries.get(dir);
    if (entry === undefined) {
      const target = { commit: sha, dir, maxBytes: this.#options.maxBytes };
      entry = {
        refs: 1,
        ready: this.#fetch(dir, () => checkoutCommit(source, target, this.#options)),
      };
      this.#entries.set(dir, entry);
    } else {
      entry.refs += 1;
      this.#counts.cacheHits += 1;
    }
    let checkedOut: CheckoutResult;
    try {
      checkedOut = await entry.ready;
    } catch (error) {
      entry.refs -= 1;
      // A failed fetch is forgotten so that the next caller tries again.
      if (this.#entries.get(dir) === entry) this.#entries.delete(dir);
      if (error instanceof SourceError) {
        const fields = { url: source.url.redacted, commit: sha, reason: error.reason, error };
        this.#options.log?.warn('checkout failed', fields);
      }
      throw error;
    }
    const revision = revisionOf(source.ref, sha);
    const { message, committedAt } = checkedOut;
    const artifact: Artifact = {
      url: source.url.redacted,
      commit: sha,
      revision,
      dir,
      message,
      ...(committedAt === undefined ? {} : { committedAt }),
    };
    this.#issued.add(artifact);
    this.#options.log?.debug('checked out', { url: artifact.url, revision, dir });
    return artifact;
  }

  async release(artifact: Artifact): Promise<void> {
    if (!this.#issued.has(artifact)) return;
    this.#issued.delete(artifact);
    const entry = this.#entries.get(artifact.dir);
    if (entry === undefined) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.#entries.delete(artifact.dir);
    // The empty `<key>` parent stays: removing it could race with a fetch of another commit.
    const removal = rm(artifact.dir, { recursive: true, force: true });
    this.#removals.set(artifact.dir, removal);
    try {
      await removal;
    } finally {
      if (this.#removals.get(artifact.dir) === removal) this.#removals.delete(artifact.dir);
    }
    this.#options.log?.debug('removed unreferenced checkout', {
      url: artifact.url,
      revision: artifact.revision,
    });
  }

  stats(): SourceStats {
    return { ...this.#counts, checkouts: this.#entries.size };
  }

  #keyOf(source: PreparedSource): string {
    const credentials = credentialsFingerprint(source.credentials, this.#secret);
    return createHash('sha256')
      .update(`${source.url.url}\0${credentials}`)
      .digest('hex')
      .slice(0, 32);
  }

  async #fetch(dir: string, fetch: () => Promise<CheckoutResult>): Promise<CheckoutResult> {
    await this.#removals.get(dir);
    this.#counts.fetches += 1;
    try {
      return await fetch();
    } catch (error) {
      this.#counts.failures += 1;
      throw error;
    }
  }
}
