/**
 * The GitHub Action's inputs, read once at the edge from what `core.getInput` returns (a string
 * per input, `''` meaning unset) into one typed object. Nothing after this reads an input.
 */
import { z } from 'zod';
import { type ImageUpdate, parseImageUpdates } from '../images/update.ts';
import {
  noRemote,
  parseRemoteAllowance,
  type RemoteAllowance,
} from '../kustomize/remote-allowance.ts';
import { durationSchema } from './duration.ts';
import { parseWith } from './errors.ts';
import { refNameSchema } from './git-ref.ts';
import { classifyGitUrl, showGitUrl } from './git-url.ts';
import { globListSchema } from './paths.ts';

/** How the action lands its commit. */
export const COMMIT_MODES = ['push', 'pull-request', 'api', 'none'] as const;
/** One of {@link COMMIT_MODES}. */
export type CommitMode = (typeof COMMIT_MODES)[number];

/** Every input the action reads, by its name in `action.yml`. */
export const ACTION_INPUT_NAMES = [
  'repository',
  'ref',
  'token',
  'overlays',
  'paths',
  'images',
  'commit',
  'message',
  'allow-downgrade',
  'allow-remote',
  'max-attempts',
  'retry-timeout',
  'concurrency',
  'kubernetes-version',
  'pr-branch',
  'pr-title',
  'pr-base',
] as const;
/** One of {@link ACTION_INPUT_NAMES}. */
export type ActionInputName = (typeof ACTION_INPUT_NAMES)[number];

/** What the schema needs from its caller. */
export interface ActionInputsOptions {
  /** `owner/name` of the repository the workflow runs in (`GITHUB_REPOSITORY`). */
  defaultRepository: string;
}

/** The action's inputs, parsed, with defaults applied. */
export interface ActionInputs {
  /** `owner/name` or a git URL without credentials. */
  repository: string;
  ref?: string;
  token?: string;
  /** Relative globs of overlay directories; empty means every overlay found. */
  overlays: string[];
  /** Relative globs limiting which kustomization files may be edited; empty means any. */
  paths: string[];
  /** Image updates to write into kustomization files; empty means validate only. */
  images: ImageUpdate[];
  commit: CommitMode;
  message?: string;
  allowDowngrade: boolean;
  /** The hosts remote kustomize resources may come from; refused (`none`) by default. */
  allowRemote: RemoteAllowance;
  /** Attempts at landing in all; no bound but `retryTimeoutMs` when absent. */
  maxAttempts?: number;
  /** How long landing keeps retrying on a moved branch, in milliseconds. */
  retryTimeoutMs: number;
  concurrency: number;
  /** Kubernetes minor version to validate against, like `1.36`. */
  kubernetesVersion: string;
  prBranch?: string;
  prTitle?: string;
  prBase?: string;
}

/** `owner/name` on GitHub. */
const ownerName = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/(?!\.\.?$)[A-Za-z0-9._-]+$/;

/** `owner/name`, or a git URL without credentials (the token has its own input). */
const repositorySchema = z.string().superRefine((text, ctx) => {
  if (ownerName.test(text)) return;
  const url = classifyGitUrl(text);
  const input = showGitUrl(text);
  if (url && url.kind !== 'http' && url.hasCredentials) {
    const message =
      'expected no credentials in the URL; pass the token in the `token` input instead';
    ctx.addIssue({ code: 'custom', message, input });
  } else if (!url || url.kind === 'http') {
    const message = 'expected owner/name or a git URL (https://, ssh://, git@host:path, file://)';
    ctx.addIssue({ code: 'custom', message, input });
  }
});

/** A boolean the way `core.getBooleanInput` reads one. */
const booleanInput = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], { error: 'expected true or false' })
  .transform((text) => text.toLowerCase() === 'true');

/** A whole number between `min` and `max`. */
const integerInput = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().min(min).max(max));

/** The `images` input, read by the images parser; its first problem is reported. */
const imagesInput = z.string().transform((text, ctx) => {
  try {
    return parseImageUpdates(text, 'images');
  } catch (thrown) {
    // The parser says `parse images line 3: <problem>; got "<line>"`. The field path already
    // says `images` and the message quotes the line, so neither is repeated.
    const message = thrown instanceof Error ? thrown.message : 'expected image updates';
    ctx.addIssue({
      code: 'custom',
      message: message.replace(/^parse images /, ''),
      input: undefined,
    });
    return z.NEVER;
  }
});

/** The `allow-remote` input: hosts, one per line or comma-separated, or `*`. */
const allowRemoteInput = z.string().transform((text, ctx): RemoteAllowance => {
  try {
    return parseRemoteAllowance(text);
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : 'expected host names or *';
    ctx.addIssue({ code: 'custom', message: message.replace(/^allow-remote: /, '') });
    return z.NEVER;
  }
});

/** Builds the schema for the raw inputs; its output is {@link ActionInputs}. */
export function actionInputsSchema(options: ActionInputsOptions) {
  const fields = z.object({
    repository: repositorySchema,
    ref: refNameSchema().optional(),
    token: z.string().optional(),
    overlays: globListSchema().default([]),
    paths: globListSchema().default([]),
    images: imagesInput.default([]),
    commit: z.enum(COMMIT_MODES).default('push'),
    message: z.string().optional(),
    'allow-downgrade': booleanInput.default(false),
    'allow-remote': allowRemoteInput.default(noRemote),
    'max-attempts': integerInput(1, 1000).optional(),
    'retry-timeout': durationSchema({ min: 1000, max: 3_600_000 }).default(300_000),
    concurrency: integerInput(1, 32).default(4),
    'kubernetes-version': z
      .string()
      .regex(/^\d+\.\d+$/, { error: 'expected a Kubernetes minor version like 1.36' })
      .default('1.36'),
    'pr-branch': refNameSchema().optional(),
    'pr-title': z.string().optional(),
    'pr-base': refNameSchema().optional(),
  });
  const normalize = (raw: unknown) => normalizeInputs(raw, options.defaultRepository);
  return z.preprocess(normalize, fields).transform(
    (input): ActionInputs => ({
      repository: input.repository,
      overlays: input.overlays,
      paths: input.paths,
      commit: input.commit,
      allowDowngrade: input['allow-downgrade'],
      allowRemote: input['allow-remote'],
      retryTimeoutMs: input['retry-timeout'],
      concurrency: input.concurrency,
      kubernetesVersion: input['kubernetes-version'],
      images: input.images,
      ...present('maxAttempts', input['max-attempts']),
      ...present('ref', input.ref),
      ...present('token', input.token),
      ...present('message', input.message),
      ...present('prBranch', input['pr-branch']),
      ...present('prTitle', input['pr-title']),
      ...present('prBase', input['pr-base']),
    }),
  );
}

/**
 * Parses the raw inputs, or throws a `StepError` (`inputs action: ...`) listing every problem.
 * The token's value never appears in it.
 */
export function parseActionInputs(
  raw: Readonly<Record<string, string | undefined>>,
  options: ActionInputsOptions,
): ActionInputs {
  return parseWith(actionInputsSchema(options), raw, 'inputs', 'action');
}

/** Trims every known input, drops unset ones, and fills in the default repository. */
function normalizeInputs(raw: unknown, defaultRepository: string): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const record = raw as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const name of ACTION_INPUT_NAMES) {
    const value = record[name];
    const text = typeof value === 'string' ? value.trim() : value;
    if (text !== '' && text !== undefined) result[name] = text;
  }
  result.repository ??= defaultRepository;
  return result;
}

/** `{ key: value }` when the value is set, `{}` otherwise (for exact optional properties). */
function present<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
