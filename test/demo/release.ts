/**
 * A release of the example's web app as its workflow (`examples/workflows/app-release.yml`)
 * runs it: acme/web publishes `v<tag>`, the image is built (skipped here: kwok's fake nodes pull
 * no images), and the bump job's `uses:` step runs the action against the config repository.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import { parse } from 'yaml';
import { exampleConfigRepo } from './config-repo.ts';
import type { ActionStep } from './runner.ts';

/** The released app: its repository, image, Deployment and the overlay its releases bump. */
export const releasedApp = {
  repository: 'acme/web',
  image: 'ghcr.io/acme/web',
  deployment: { name: 'web', container: 'web' },
  overlay: 'apps/web/overlays/staging',
} as const;

/** The tag the staging overlay of the example sets for the web image today. */
export async function currentTag(): Promise<string> {
  const file = join(exampleConfigRepo, releasedApp.overlay, 'kustomization.yaml');
  const doc = parse(await readFile(file, 'utf8')) as {
    images?: { name: string; newTag?: string }[];
  };
  const tag = doc.images?.find((image) => image.name === releasedApp.image)?.newTag;
  if (tag === undefined) throw new StepError('read', file, `no tag for ${releasedApp.image}`);
  return tag;
}

/** The next patch version of a `major.minor.patch` tag (pure). */
export function nextPatch(tag: string): string {
  const match = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!match) throw new StepError('bump', tag, 'not a major.minor.patch version');
  const [, prefix = '', major, minor, patch] = match;
  return `${prefix}${major}.${minor}.${Number(patch) + 1}`;
}

/** Where the action commits and how, and where the runner finds tools. */
export interface ReleaseTarget {
  /** The action's `repository` input. */
  readonly repository: string;
  readonly token: string;
  readonly commit: 'push' | 'api';
  /** `GITHUB_SERVER_URL` and `GITHUB_API_URL`. */
  readonly serverUrl: string;
  readonly apiUrl: string;
  readonly kustomize: string;
  /** The job's extra environment (e.g. `GIT_SSL_CAINFO` on a runner that trusts a private CA). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The release of `tag` with its (simulated) app-repository commit. */
export interface Release {
  readonly tag: string;
  readonly sha: string;
  /** When that commit was made (now): the release event's `created_at`, as GitHub sends it. */
  readonly committedAt: string;
  readonly runId: string;
  readonly step: ActionStep;
}

/**
 * The bump step of the release workflow for `tag` (pure but for the random commit and run id,
 * and the clock for the commit's time).
 */
export function releaseOf(tag: string, target: ReleaseTarget): Release {
  const sha = randomBytes(20).toString('hex');
  const committedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const runId = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
  const step: ActionStep = {
    inputs: {
      repository: target.repository,
      token: target.token,
      images: `${releasedApp.image}=${tag}`,
      paths: releasedApp.overlay,
      commit: target.commit,
    },
    context: {
      repository: releasedApp.repository,
      sha,
      ref: `refs/tags/v${tag}`,
      eventName: 'release',
      event: {
        action: 'published',
        release: {
          tag_name: `v${tag}`,
          name: `web ${tag}`,
          target_commitish: sha,
          created_at: committedAt,
        },
        repository: { full_name: releasedApp.repository },
      },
      runId,
      serverUrl: target.serverUrl,
      apiUrl: target.apiUrl,
      token: target.token,
    },
    toolDirs: [dirname(target.kustomize)],
    ...(target.env ? { env: target.env } : {}),
  };
  return { tag, sha, committedAt, runId, step };
}
