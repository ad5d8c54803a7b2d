/**
 * `kustodian rollback <app> --to <revision>`: a commit in the config repository that makes the
 * Application's path what it was at a revision of its history, landed through the Action's own
 * landers (`push`, `api`, `pull-request`), so that git stays the truth and the reconciler then
 * converges on it like on any commit. Nothing in the cluster is changed. Without a git token,
 * or with `--dry-run`, it shows what it would commit.
 */
import { readFile } from 'node:fs/promises';
import type { GitIdentity } from '@kustodian/action/git/git';
import { tokenForms } from '@kustodian/action/git/remote';
import { redactAll } from '@kustodian/shared/redact';
import { Option } from 'commander';
import { exitCodes } from '../exit-codes.ts';
import { colours, print } from '../render.ts';
import type { RollbackMode, RollbackRequest, RollbackResult } from '../rollback/land.ts';
import { CommandUsageError, type CommonOptions, type Kit } from './kit.ts';

interface RollbackOptions extends CommonOptions {
  to: string;
  dryRun?: boolean;
  pullRequest?: boolean;
  commit: 'push' | 'api' | 'pull-request';
  tokenFile?: string;
  githubApiUrl?: string;
}

/** The environment variable a token may come in (never an argument: it would show in `ps`). */
export const tokenVariable = 'KUSTODIAN_GIT_TOKEN';

const tokenAdvice = `give a token that may push to the repository with --token-file FILE or ${tokenVariable}, or pass --dry-run to only see the change`;

/** Registers `rollback`. */
export function registerRollback(kit: Kit): void {
  kit
    .command(
      'rollback <app>',
      "commit the Application's files as they were at a revision of its history (a new commit on its branch, or a pull request); the reconciler then syncs it like any commit",
      [
        'kustodian rollback web -n team --to 3f2c1ab --dry-run',
        `${tokenVariable}=$(cat token) kustodian rollback web -n team --to 3f2c1ab`,
        'kustodian rollback web --to 3f2c1ab --pull-request --token-file ~/.config/kustodian/token',
      ],
    )
    .requiredOption('--to <revision>', 'a config commit of `kustodian history` (a prefix will do)')
    .option('--dry-run', 'show the commit it would make, and push nothing')
    .addOption(
      new Option(
        '--commit <mode>',
        'push (git push), api (a signed commit through the GitHub API) or pull-request',
      )
        .choices(['push', 'api', 'pull-request'])
        .default('push'),
    )
    .option(
      '--pull-request',
      'open a pull request instead of committing to the branch (--commit pull-request)',
    )
    .option('--token-file <file>', `a file holding the git token (default: $${tokenVariable})`)
    .option(
      '--github-api-url <url>',
      'the GitHub API for --commit api and pull-request (default: $GITHUB_API_URL, else https://api.github.com for github.com and https://HOST/api/v3 otherwise)',
    )
    .action((app: string, options: RollbackOptions) =>
      kit.run(async () => {
        const mode = options.pullRequest ? 'pull-request' : options.commit;
        const token = await readToken(options);
        const { api, namespace } = kit.connect(options);
        const ns = kit.oneNamespace(options, namespace);
        const { rollbackTarget } = await import('@kustodian/query/rollback');
        const target = await rollbackTarget(api, ns, app, options.to);
        const { url } = target.source;
        if (!url.startsWith('https://'))
          throw new CommandUsageError(
            `Application ${ns}/${app}: its repository ${url} is not reached over https; rollback pushes with a token over https only`,
          );
        const landing: RollbackMode = options.dryRun || token === undefined ? 'none' : mode;
        const request = await requestFor(target, landing, token, options);
        // The Action's landers (git, the GitHub client) load only for this command.
        const { rollBack } = await import('../rollback/land.ts');
        let result: RollbackResult;
        try {
          result = await rollBack(request);
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          const hint = token === undefined ? ` (no git token was given: ${tokenAdvice})` : '';
          process.stderr.write(`error: ${redact(text, token)}${hint}\n`);
          return exitCodes.failed;
        }
        print(options.output, reportOf(request, result), () => resultText(request, result));
        if (landing === 'none' && !options.dryRun) {
          process.stderr.write(`error: no git token, so nothing was pushed: ${tokenAdvice}\n`);
          return exitCodes.usage;
        }
        return exitCodes.ok;
      }),
    );
}

async function readToken(options: RollbackOptions): Promise<string | undefined> {
  if (options.tokenFile !== undefined) {
    const text = await readFile(options.tokenFile, 'utf8').catch((error: unknown) => {
      throw new CommandUsageError(
        `--token-file ${options.tokenFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); ${tokenAdvice}`,
      );
    });
    const token = text.trim();
    if (token === '')
      throw new CommandUsageError(`--token-file ${options.tokenFile} is empty; ${tokenAdvice}`);
    return token;
  }
  const token = process.env[tokenVariable]?.trim();
  return token === undefined || token === '' ? undefined : token;
}

/** The request, with the GitHub API target and the author taken from the environment. */
async function requestFor(
  target: RollbackRequest['target'],
  mode: RollbackMode,
  token: string | undefined,
  options: RollbackOptions,
): Promise<RollbackRequest> {
  const { execaRunner } = await import('@kustodian/shared/exec');
  const { networkEnv } = await import('@kustodian/shared/network-env');
  const github = mode === 'api' || mode === 'pull-request' ? githubOf(target, options) : undefined;
  return {
    target,
    mode,
    ...(token === undefined ? {} : { token }),
    ...(github ? { github } : {}),
    ...(mode === 'push' ? { author: await authorOf(execaRunner) } : {}),
    runCommand: execaRunner,
    networkEnv: networkEnv(process.env),
    log: (line) => process.stderr.write(`rollback: ${redact(line, token)}\n`),
  };
}

/** The repository as the GitHub API names it, from `https://HOST/OWNER/NAME(.git)`. */
function githubOf(target: RollbackRequest['target'], options: RollbackOptions) {
  const url = new URL(target.source.url);
  const parts = url.pathname
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  const [owner, repo] = parts;
  if (parts.length !== 2 || !owner || !repo)
    throw new CommandUsageError(
      `${target.source.url} is not https://HOST/OWNER/NAME: the GitHub API modes need a GitHub repository; use --commit push`,
    );
  const apiUrl =
    options.githubApiUrl ??
    process.env.GITHUB_API_URL ??
    (url.host === 'github.com' ? 'https://api.github.com' : `https://${url.host}/api/v3`);
  return { apiUrl, owner, repo };
}

/** Who a pushed commit is by: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, else git's `user.name`/`user.email`. */
async function authorOf(runCommand: RollbackRequest['runCommand']): Promise<GitIdentity> {
  const config = async (key: string) =>
    (await runCommand('git', ['config', '--get', key])).stdout.trim();
  const name = process.env.GIT_AUTHOR_NAME || (await config('user.name'));
  const email = process.env.GIT_AUTHOR_EMAIL || (await config('user.email'));
  if (!name || !email)
    throw new CommandUsageError(
      'who is the commit by? set git config user.name and user.email, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL',
    );
  return { name, email };
}

/** `text` without the token in any of the forms git or an API could echo it. */
function redact(text: string, token: string | undefined): string {
  return token === undefined ? text : redactAll(text, tokenForms(token));
}

/** The result as `-o json|yaml` prints it. */
function reportOf(request: RollbackRequest, result: RollbackResult) {
  const { target } = request;
  return {
    application: target.application,
    repository: target.source.url,
    branch: target.source.branch,
    path: target.source.path,
    revision: target.revision,
    outcome: result.outcome,
    base: result.base,
    ...(result.commit ? { commit: result.commit } : {}),
    ...(result.pullRequestUrl ? { pullRequestUrl: result.pullRequestUrl } : {}),
    changes: result.changes.map(({ path, kind }) => ({ path, change: kind })),
  };
}

/** The result for people: what was done, where, and each file. */
function resultText(request: RollbackRequest, result: RollbackResult): string {
  const { target } = request;
  const key = `${target.application.namespace}/${target.application.name}`;
  const at = target.revision.slice(0, 12);
  const where = `${target.source.branch} of ${target.source.url}`;
  const sha = (commit: string | undefined) => (commit ?? '').slice(0, 12);
  const headline = {
    committed: `Application ${key} rolled back to ${at}: commit ${sha(result.commit)} pushed to ${where}`,
    'pull-request-opened': `Application ${key}: pull request ${result.pullRequestUrl} opened to roll back to ${at} (commit ${sha(result.commit)})`,
    'pull-request-updated': `Application ${key}: pull request ${result.pullRequestUrl} updated to roll back to ${at} (commit ${sha(result.commit)})`,
    unchanged: `Application ${key}: ${target.source.path} on ${where} is already as it was at ${at}; nothing to commit`,
    'dry-run': `Application ${key}: rolling back to ${at} would commit on ${where} (at ${sha(result.base)}); nothing was pushed`,
  }[result.outcome];
  const colour = { modified: colours.yellow, added: colours.green, deleted: colours.red };
  const lines = result.changes.map(
    (step) => `  ${colour[step.kind](step.kind.padEnd(8))}  ${step.path}`,
  );
  return `${colours.bold(headline)}\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`;
}
