/**
 * One git command as a source step: it either succeeds or becomes a classified, redacted
 * `SourceError` naming the repository.
 */

import { messageOf } from '../errors.ts';
import type { RunResult } from '../exec.ts';
import { redactAll } from '../redact.ts';
import { gitFailure, SourceError } from './failure.ts';
import type { GitRunner } from './git.ts';
import type { SourceUrl } from './url.ts';

/** Where and with what one step runs. */
export interface GitStepOptions {
  readonly cwd?: string;
  /** Credentials' environment; absent for steps that do not talk to the remote. */
  readonly env?: Readonly<Record<string, string>>;
  /** Values to redact from whatever git prints. */
  readonly secrets?: readonly string[];
}

/**
 * Runs `git <args>` and returns its result when it exited 0.
 * @throws SourceError with the reason {@link gitFailure} finds, or `Other` when git could not be
 *   started at all.
 */
export async function gitStep(
  git: GitRunner,
  url: SourceUrl,
  args: readonly string[],
  options: GitStepOptions = {},
): Promise<RunResult> {
  const secrets = options.secrets ?? [];
  const command = args[0] ?? '';
  let result: RunResult;
  try {
    result = await git.run(args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
  } catch (error) {
    const message = redactAll(`git ${command}: ${messageOf(error)}`, secrets);
    throw new SourceError(url.redacted, 'Other', message, { cause: error });
  }
  if (result.exitCode !== 0 || result.timedOut) {
    throw gitFailure(url.redacted, command, result, secrets, git.timeoutMs);
  }
  return result;
}
