/**
 * The action's inputs, read once at the edge and parsed into one typed object: the shared
 * schema (`@kustodian/shared/config/action-inputs`) for the inputs both halves of the project
 * know about, plus the commit identity and the workflow's own token this action adds. Nothing
 * after `parseInputs` reads `process.env` or `core.getInput`. Every problem is reported at once,
 * never a token.
 */
import {
  ACTION_INPUT_NAMES,
  parseActionInputs,
  type ActionInputs as SharedInputs,
} from '@kustodian/shared/config/action-inputs';
import { listProblems } from '@kustodian/shared/config/errors';
import { StepError } from '@kustodian/shared/errors';
import { defaultServerUrl, resolveRemote, tokenForms, tokenForRemote } from './git/remote.ts';

/** The inputs this action adds to the shared ones. */
export const ownInputNames = ['github-token', 'author-name', 'author-email'] as const;

/** Every input of `action.yml`, by name. */
export const inputNames = [...ACTION_INPUT_NAMES, ...ownInputNames] as const;
export type InputName = (typeof inputNames)[number];

/** The inputs as the runner gives them: text, `''` or absent when not set. */
export type RawInputs = Readonly<Partial<Record<InputName, string>>>;

/**
 * The parsed inputs. `token` is the token for the repository's host: the `token` input when set,
 * else the `github-token` input when the repository is on the workflow's GitHub server, else
 * absent (see `tokenForRemote`).
 */
export interface ActionInputs extends SharedInputs {
  readonly author: { readonly name: string; readonly email: string };
}

/** The identity commits carry when `author-name` / `author-email` are not set. */
export const defaultAuthor = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
} as const;

/**
 * Parses the raw inputs; `defaultRepository` is `GITHUB_REPOSITORY`, `serverUrl` is
 * `GITHUB_SERVER_URL` (`https://github.com` when empty). Throws one `StepError` (`inputs action: ...`) listing every problem.
 */
export function parseInputs(
  raw: RawInputs,
  defaultRepository: string,
  serverUrl?: string,
): ActionInputs {
  const problems: string[] = [];
  let shared: SharedInputs | undefined;
  try {
    shared = parseActionInputs(raw, { defaultRepository });
  } catch (thrown) {
    if (!(thrown instanceof StepError)) throw thrown;
    problems.push(
      ...problemLines(thrown.message.slice(`${thrown.step} ${thrown.object}: `.length)),
    );
  }
  const name = identity(raw['author-name'], defaultAuthor.name, 'author-name', problems);
  const email = identity(raw['author-email'], defaultAuthor.email, 'author-email', problems);
  if (shared === undefined || problems.length > 0) {
    throw new StepError('inputs', 'action', listProblems(problems));
  }
  const { token: _given, ...rest } = shared;
  const token = repositoryToken(shared, raw['github-token'], serverUrl || defaultServerUrl);
  return { ...rest, ...(token === undefined ? {} : { token }), author: { name, email } };
}

/** Every token among the raw inputs, in each form it could be shown in: to mask and redact. */
export function inputSecrets(raw: RawInputs): string[] {
  const tokens = [raw.token, raw['github-token']].map((token) => (token ?? '').trim());
  return [...new Set(tokens.flatMap(tokenForms))];
}

/** The token for the repository's host (see `tokenForRemote`). */
function repositoryToken(
  shared: SharedInputs,
  githubToken: string | undefined,
  serverUrl: string,
): string | undefined {
  let remote: ReturnType<typeof resolveRemote>;
  try {
    remote = resolveRemote(shared.repository, serverUrl);
  } catch {
    return undefined; // cloning reports the repository, before anything is sent anywhere
  }
  const tokens = {
    ...(shared.token === undefined ? {} : { token: shared.token }),
    githubToken: (githubToken ?? '').trim(),
  };
  return tokenForRemote(remote, tokens, serverUrl);
}

/** The lines of a `listProblems` text (one problem, or a count followed by indented lines). */
function problemLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length === 1) return lines;
  return lines.slice(1).map((line) => line.trim());
}

/** A name or e-mail for commits: no angle brackets or line breaks, which git would misread. */
function identity(
  value: string | undefined,
  fallback: string,
  input: string,
  problems: string[],
): string {
  const text = (value ?? '').trim();
  if (text === '') return fallback;
  if (/[<>\r\n\0]/.test(text)) {
    problems.push(
      `${input}: expected no <, > or line breaks, got ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return text;
}
