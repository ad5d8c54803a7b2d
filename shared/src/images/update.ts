/**
 * Image updates, one per line, as the action's `images` input takes them:
 *
 * ```
 * podinfo=6.1.0                                    # newTag
 * podinfo=ghcr.io/stefanprodan/podinfo:6.1.0       # newName and newTag
 * podinfo=ghcr.io/stefanprodan/podinfo             # newName only
 * podinfo@sha256:<64 hex>                          # digest
 * podinfo=ghcr.io/stefanprodan/podinfo@sha256:<64 hex>
 * podinfo=ghcr.io/stefanprodan/podinfo:6.1.0@sha256:<64 hex>
 * ```
 *
 * After `=`, a value without `/`, `:` or `@` is a tag; anything else is a reference whose name
 * becomes `newName`. So a new name is only recognised with a registry or a path (`org/app`), or
 * together with a tag or digest. (Unlike `kustomize edit set image`, where `name=value` always
 * means a new name and `name:tag` a tag.)
 */
import { StepError } from '../errors.ts';
import { checkImageReference, digestProblem, nameProblem, tagProblem } from './reference.ts';

/** One requested change to a kustomization `images:` entry, matched by `name`. */
export interface ImageUpdate {
  /** The entry's `name`: the image as written in the manifests. */
  readonly name: string;
  /** Replacement repository (with registry), written to `newName`. */
  readonly newName?: string;
  /** Written to `newTag`. */
  readonly newTag?: string;
  /** `sha256:<hex>`, written to `digest`. */
  readonly digest?: string;
}

type LineResult = { readonly update: ImageUpdate } | { readonly problem: string };

const EXPECTED = 'expected name=tag, name=newName[:tag][@sha256:<hex>] or name@sha256:<hex>';

/**
 * Parses a multi-line `images` input. Blank lines and lines starting with `#` are ignored and
 * every line is trimmed. Each name may appear once.
 * @param source What the text is, for error messages (the input's name).
 * @throws StepError with step `parse` and `<source> line <n>` as object, quoting the line.
 */
export function parseImageUpdates(text: string, source = 'images'): ImageUpdate[] {
  const updates: ImageUpdate[] = [];
  const lineOfName = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const number = index + 1;
    const fail = (problem: string) =>
      new StepError('parse', `${source} line ${number}`, `${problem}; got "${line}"`);
    const result = parseLine(line);
    if ('problem' in result) throw fail(result.problem);
    const earlier = lineOfName.get(result.update.name);
    if (earlier !== undefined) {
      throw fail(`image "${result.update.name}" is already updated on line ${earlier}`);
    }
    lineOfName.set(result.update.name, number);
    updates.push(result.update);
  }
  return updates;
}

/**
 * What is wrong with an update that did not come from {@link parseImageUpdates}, or `undefined`
 * when every field it gives is valid and it gives at least one.
 */
export function imageUpdateProblem(update: ImageUpdate): string | undefined {
  const { newName, newTag, digest } = update;
  if (newName === undefined && newTag === undefined && digest === undefined) {
    return `the update of "${update.name}" gives no new name, tag or digest`;
  }
  return (
    imageNameProblem(update.name) ??
    (newName === undefined ? undefined : nameProblem(newName)) ??
    (newTag === undefined ? undefined : tagProblem(newTag)) ??
    (digest === undefined ? undefined : digestProblem(digest))
  );
}

/** Parses one trimmed, non-comment line. */
function parseLine(line: string): LineResult {
  const equals = line.indexOf('=');
  if (equals < 0) return parseDigestOnly(line);
  const name = line.slice(0, equals).trim();
  const value = line.slice(equals + 1).trim();
  if (name === '') return { problem: `nothing before "="; expected the image name` };
  const nameProblem = imageNameProblem(name);
  if (nameProblem) return { problem: nameProblem };
  if (value === '') return { problem: `nothing after "="; ${EXPECTED}` };
  if (!/[/:@]/.test(value)) {
    const problem = tagProblem(value);
    return problem ? { problem } : { update: { name, newTag: value } };
  }
  const checked = checkImageReference(value);
  if (!checked.ok) return { problem: checked.problem };
  const { reference } = checked;
  return {
    update: {
      name,
      newName: reference.name,
      ...(reference.tag === undefined ? {} : { newTag: reference.tag }),
      ...(reference.digest === undefined ? {} : { digest: reference.digest }),
    },
  };
}

/** `name@sha256:<hex>`: the only form without `=`. */
function parseDigestOnly(line: string): LineResult {
  if (!line.includes('@')) return { problem: EXPECTED };
  const checked = checkImageReference(line);
  if (!checked.ok) return { problem: checked.problem };
  const { name, tag, digest } = checked.reference;
  if (tag !== undefined) {
    return {
      problem: `a tag needs "=": write ${name}=${tag} or ${name}=<newName>:${tag}@<digest>`,
    };
  }
  return { update: { name, ...(digest === undefined ? {} : { digest }) } };
}

/** The left-hand side must be a bare image name: no tag, no digest. */
function imageNameProblem(name: string): string | undefined {
  const checked = checkImageReference(name);
  if (!checked.ok) return checked.problem;
  if (checked.reference.tag !== undefined || checked.reference.digest !== undefined) {
    return `the image name before "=" must not have a tag or digest`;
  }
  return undefined;
}
