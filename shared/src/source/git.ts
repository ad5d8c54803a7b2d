/**
 * The one way the source layer runs git: a small `GitRunner` over the shared `RunCommand`.
 *
 * Every command runs with the same hardening, whatever the repository or the machine holds:
 * no system or user configuration (an empty home directory), no prompts, no hooks, no
 * submodules, no credential helpers, only the allowed transports, English messages (so failures
 * can be classified), and a time limit. Repositories are untrusted input (CVE-2024-32002,
 * CVE-2025-48384 went through hooks and submodules).
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCommand, RunResult } from '../exec.ts';
import type { UrlPolicy } from './url.ts';

/** What one git command may be given. */
export interface GitRunOptions {
  readonly cwd?: string;
  /** Added to git's environment (credentials); never logged. Hardening variables win. */
  readonly env?: Readonly<Record<string, string>>;
  /** The runner's default when absent. */
  readonly timeoutMs?: number;
}

/** Runs git with fixed hardening; a non-zero exit or a timeout is data in the result. */
export interface GitRunner {
  /** Which transports beyond HTTPS and SSH this runner lets git use. */
  readonly policy: UrlPolicy;
  /** The time limit of a command that names none. */
  readonly timeoutMs: number;
  run(args: readonly string[], options?: GitRunOptions): Promise<RunResult>;
}

/** How to build a {@link GitRunner}. */
export interface GitRunnerOptions {
  readonly runCommand: RunCommand;
  /** An empty private directory used as HOME, so no user configuration is read. */
  readonly homeDir: string;
  /** Transports beyond HTTPS and SSH; `file` is meant for tests. */
  readonly policy?: UrlPolicy;
  /** 60 s when absent. */
  readonly timeoutMs?: number;
  /** The git executable; `git` from PATH when absent. */
  readonly gitPath?: string;
}

/** The default time limit of one git command. */
export const defaultGitTimeoutMs = 60_000;

/**
 * The `-c key=value` settings every command gets. None is secret, so they may sit in argv.
 * `http.followRedirects=false` keeps the `Authorization` header from following a redirect to
 * another host.
 */
export function hardeningConfig(policy: UrlPolicy): string[] {
  const allow = (yes: boolean | undefined) => (yes === true ? 'always' : 'never');
  return [
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    'credential.helper=',
    'submodule.recurse=false',
    'fetch.recurseSubmodules=false',
    'protocol.allow=never',
    'protocol.https.allow=always',
    'protocol.ssh.allow=always',
    `protocol.http.allow=${allow(policy.allowHttp)}`,
    `protocol.file.allow=${allow(policy.allowFile)}`,
    'http.followRedirects=false',
    'gc.auto=0',
    'maintenance.auto=false',
    'init.defaultBranch=main',
    'advice.detachedHead=false',
  ];
}

/** The environment every command gets on top of the minimal one (`PATH`). */
export function hardeningEnv(homeDir: string): Record<string, string> {
  return {
    HOME: homeDir,
    XDG_CONFIG_HOME: homeDir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    LC_ALL: 'C',
  };
}

/** Builds a runner; see the module comment for what every command gets. */
export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const policy = options.policy ?? {};
  const timeoutMs = options.timeoutMs ?? defaultGitTimeoutMs;
  const config = hardeningConfig(policy).flatMap((setting) => ['-c', setting]);
  const baseEnv = hardeningEnv(options.homeDir);
  return {
    policy,
    timeoutMs,
    run: (args, runOptions = {}) =>
      options.runCommand(options.gitPath ?? 'git', [...config, ...args], {
        ...(runOptions.cwd === undefined ? {} : { cwd: runOptions.cwd }),
        env: { ...runOptions.env, ...baseEnv },
        timeoutMs: runOptions.timeoutMs ?? timeoutMs,
      }),
  };
}

/** Creates an empty private (0700) directory under `parent` to serve as git's HOME. */
export function createGitHome(parent: string): Promise<string> {
  return mkdtemp(join(parent, 'git-home-'));
}
