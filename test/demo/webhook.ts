/**
 * Delivering a GitHub push webhook to the reconciler as GitHub does after a push: a JSON
 * `push` payload naming the repository and the moved branch, signed with the shared secret in
 * `X-Hub-Signature-256`. The reconciler only takes it as a cue to check the repository now.
 */
import { randomUUID } from 'node:crypto';
import { StepError } from '@kustodian/shared/errors';
import { signBody } from '../../reconciler/src/server/github.ts';

/** What a push moved. */
export interface Push {
  /** The repository's clone URL, as the Applications name it. */
  readonly cloneUrl: string;
  /** `owner/name`. */
  readonly fullName: string;
  /** The branch, without `refs/heads/`. */
  readonly branch: string;
  readonly before: string;
  readonly after: string;
}

/** The parts of GitHub's push payload a receiver reads (pure). */
export function pushPayload(push: Push): Record<string, unknown> {
  const [owner = '', name = ''] = push.fullName.split('/');
  return {
    ref: `refs/heads/${push.branch}`,
    before: push.before,
    after: push.after,
    repository: {
      name,
      full_name: push.fullName,
      owner: { login: owner },
      clone_url: push.cloneUrl,
      default_branch: 'main',
    },
    pusher: { name: 'acme-release-bot' },
  };
}

/** POSTs the signed payload to `hookUrl`; returns the HTTP status, failing on anything but 2xx. */
export async function deliverPush(hookUrl: string, secret: string, push: Push): Promise<number> {
  const body = JSON.stringify(pushPayload(push));
  const response = await fetch(hookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/kustodian-demo',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signBody(secret, body),
    },
    body,
  });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) {
    throw new StepError(
      'deliver',
      hookUrl,
      `the webhook answered ${response.status}: ${text.trim()}`,
    );
  }
  return response.status;
}
