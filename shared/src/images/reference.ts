/**
 * Image references by the OCI distribution grammar:
 * `[registry[:port]/]path[:tag][@sha256:<64 lowercase hex>]`.
 *
 * The first `/`-separated component is a registry host when it contains `.` or `:` or is
 * `localhost`, as docker's `distribution/reference` decides. Nothing is normalised: kustomize
 * matches image names literally, so `nginx` stays `nginx` (not `docker.io/library/nginx`).
 */
import { StepError } from '../errors.ts';

/** A parsed image reference. `name` includes the registry host when there is one. */
export interface ImageReference {
  /** Repository name, optionally prefixed by `registry[:port]/`. */
  readonly name: string;
  /** Tag, `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. */
  readonly tag?: string;
  /** Digest, `sha256:` followed by 64 lowercase hex characters. */
  readonly digest?: string;
}

/** The outcome of checking a reference without throwing: the reference, or what is wrong. */
export type ImageReferenceCheck =
  | { readonly ok: true; readonly reference: ImageReference }
  | { readonly ok: false; readonly problem: string };

/** Longest allowed name (registry and path together), as in `distribution/reference`. */
export const NAME_MAX_LENGTH = 255;
/** Longest allowed tag. */
export const TAG_MAX_LENGTH = 128;

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const REGISTRY = new RegExp(
  `^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[A-Fa-f0-9:]+\\])(?::[0-9]+)?$`,
);
const EXPECTED_DIGEST = 'sha256:<64 lowercase hex characters>';

/** Whether `tag` is a valid OCI tag. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Whether `digest` is `sha256:` followed by 64 lowercase hex characters. */
export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/** Checks `ref` against the grammar and returns the parts or a message saying what was expected. */
export function checkImageReference(ref: string): ImageReferenceCheck {
  if (ref === '') return { ok: false, problem: 'expected an image reference, got an empty string' };
  if (/\s/.test(ref)) return { ok: false, problem: 'an image reference must not contain spaces' };
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) return { ok: false, problem };
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) return { ok: false, problem };
  }
  const problem = nameProblem(rest);
  if (problem) return { ok: false, problem };
  return {
    ok: true,
    reference: { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) },
  };
}

/**
 * Parses `ref` into its name, tag and digest.
 * @throws StepError with step `parse` and the reference as object, saying what was expected.
 */
export function parseImageReference(ref: string): ImageReference {
  const checked = checkImageReference(ref);
  if (!checked.ok) throw new StepError('parse', ref, checked.problem);
  return checked.reference;
}

/** Writes a reference back as `name[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.name}${tag}${digest}`;
}

/** What is wrong with a tag, or `undefined` when it is valid. */
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  if (tag.length > TAG_MAX_LENGTH) {
    return `the tag is ${tag.length} characters long; at most ${TAG_MAX_LENGTH} are allowed`;
  }
  if (!/^[A-Za-z0-9_]/.test(tag)) return `tag "${tag}" must start with a letter, a digit or "_"`;
  if (!TAG.test(tag)) return `tag "${tag}" may contain only letters, digits, ".", "_" and "-"`;
  return undefined;
}

/** What is wrong with a digest, or `undefined` when it is `sha256:<64 lowercase hex>`. */
export function digestProblem(digest: string): string | undefined {
  if (digest === '') return `the digest after "@" is empty; expected ${EXPECTED_DIGEST}`;
  const colon = digest.indexOf(':');
  if (colon < 0) return `digest "${digest}" has no algorithm; expected ${EXPECTED_DIGEST}`;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (algorithm !== 'sha256') {
    return `digest algorithm "${algorithm}" is not supported; expected ${EXPECTED_DIGEST}`;
  }
  if (/^[0-9a-fA-F]*$/.test(hex) && /[A-F]/.test(hex)) {
    return `digest "${digest}" has uppercase hex; expected ${EXPECTED_DIGEST}`;
  }
  if (!/^[0-9a-f]*$/.test(hex)) {
    return `digest "${digest}" has characters other than hex digits; expected ${EXPECTED_DIGEST}`;
  }
  if (hex.length !== 64) {
    return `digest "${digest}" has ${hex.length} hex characters; expected ${EXPECTED_DIGEST}`;
  }
  return undefined;
}

/** What is wrong with a `[registry[:port]/]path` name, or `undefined` when it is valid. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the repository name is empty';
  if (name.length > NAME_MAX_LENGTH) {
    return `the name is ${name.length} characters long; at most ${NAME_MAX_LENGTH} are allowed`;
  }
  const components = name.split('/');
  const first = components[0] ?? '';
  if (components.length > 1 && isRegistryHost(first)) {
    if (!REGISTRY.test(first)) return `registry "${first}" is not a valid host[:port]`;
    components.shift();
  }
  for (const component of components) {
    if (component === '') return `name "${name}" has an empty path component`;
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      return `repository name must be lowercase, got "${component}" in "${name}"`;
    }
    return `path component "${component}" must be lowercase letters and digits separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

/** Docker's rule: the first component names a registry when it has `.` or `:` or is `localhost`. */
function isRegistryHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}
