/**
 * Carries out an auth plan for one git command: its files exist, mode 0600 in a private 0700
 * directory, only while the command runs, and are removed whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuthPlan, type GitCredentials, planAuth } from './credentials.ts';
import type { SourceUrl } from './url.ts';

/** What a command gets from {@link withAuth}: its environment and the values to redact. */
export type Auth = Pick<AuthPlan, 'env' | 'secrets'>;

/**
 * Runs `action` with git credentials for `url` in place. `scratchDir` holds the private
 * directory and is created (0700) when missing.
 * @throws SourceError `InvalidSource` when the credentials cannot serve the URL.
 */
export async function withAuth<T>(
  scratchDir: string,
  credentials: GitCredentials | undefined,
  url: SourceUrl,
  action: (auth: Auth) => Promise<T>,
): Promise<T> {
  const dir = join(scratchDir, `auth-${randomBytes(8).toString('hex')}`);
  const plan = planAuth(credentials, url, dir);
  if (plan.files.length === 0) return action(plan);
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  // Fails if the directory exists, so nobody else can have prepared it.
  await mkdir(dir, { mode: 0o700 });
  try {
    for (const file of plan.files) {
      await writeFile(file.path, file.content, { mode: 0o600, flag: 'wx' });
    }
    return await action(plan);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
