/**
 * Redaction: what every log line, error message, event and status condition passes through.
 *
 * Credentials leak through URLs (userinfo, query tokens; Flux CVE-2024-31216, Argo CD
 * CVE-2023-25163), through the output of tools that echo their command line, and through
 * encodings of a known value (an `Authorization: basic` header holds the token in base64). Each
 * function here removes one of those shapes and leaves the rest of the text readable.
 */

/** What a removed credential is replaced with. */
export const REDACTED = '***';

/** Query parameters whose value is a credential (compared case-insensitively). */
export const SECRET_QUERY_PARAMS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'private_token',
  'password',
  'client_secret',
  'api_key',
  'apikey',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
] as const;

/** Secrets shorter than this are ignored: they cannot be told apart from ordinary text. */
export const MIN_SECRET_LENGTH = 4;

/** Derived encodings must be this long before they are replaced, to avoid chance matches. */
const MIN_DERIVED_LENGTH = 8;

const queryParamPattern = new RegExp(
  `([?&;](?:${SECRET_QUERY_PARAMS.map(escapeRegExp).join('|')})=)[^&#\\s'"]*`,
  'gi',
);

/** `scheme://userinfo@`: everything up to the last `@` before the path is the userinfo. */
const userinfoPattern = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/]+@/gi;

/** A bare `x-access-token:<token>@` (GitHub's installation-token userinfo) outside a URL. */
const accessTokenPattern = /\b(x-access-token|x-oauth-basic|oauth2):[^\s@/]+@/gi;

/** `Authorization: basic|bearer|token <value>`, as in `http.extraheader` or an HTTP trace. */
const authHeaderPattern = /\b(authorization:\s*(?:basic|bearer|token)\s+)[^\s'"]+/gi;

/**
 * Removes credentials from one URL: the userinfo becomes `***` and credential query parameters
 * keep their name with `***` as the value. Everything else is left as written, so the URL still
 * says which host and repository were meant. Works on `scp`-like git addresses too (their `git@`
 * user is not a credential and is kept).
 */
export function redactUrl(url: string): string {
  return url
    .replace(userinfoPattern, `$1${REDACTED}@`)
    .replace(accessTokenPattern, `$1:${REDACTED}@`)
    .replace(queryParamPattern, `$1${REDACTED}`);
}

/**
 * Finds URLs carrying credentials anywhere in a text, such as git's
 * `fatal: unable to access 'https://user:token@host/x.git/'`, and redacts them with
 * {@link redactUrl}. Also removes `Authorization:` header values, which git and curl print
 * when tracing.
 */
export function redactUrlsIn(text: string): string {
  return redactUrl(text).replace(authHeaderPattern, `$1${REDACTED}`);
}

/**
 * Replaces every occurrence of each known secret value with `***`, including its URL-encoded,
 * JSON-escaped and base64 forms (also when the secret sits inside a longer base64-encoded text,
 * as in `base64("x-access-token:" + token)`). Each line of a multi-line secret (a private key)
 * is replaced on its own too.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const form of secretForms(secrets)) {
    result = result.split(form).join(REDACTED);
  }
  return result;
}

/** {@link redactText} followed by {@link redactUrlsIn}: the one call for text leaving a process. */
export function redactAll(text: string, secrets: readonly string[]): string {
  return redactUrlsIn(redactText(text, secrets));
}

/** Every form of every secret worth replacing, longest first so no form leaves a remnant. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  const add = (form: string, min: number): void => {
    if (form.length >= min) forms.add(form);
  };
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    add(secret, MIN_SECRET_LENGTH);
    add(encodeURIComponent(secret), MIN_SECRET_LENGTH);
    add(JSON.stringify(secret).slice(1, -1), MIN_SECRET_LENGTH);
    for (const line of secret.split(/\r?\n/)) add(line.trim(), MIN_DERIVED_LENGTH);
    for (const core of base64Cores(secret)) add(core, MIN_DERIVED_LENGTH);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * The base64 text that encodes `secret` wherever it sits in a longer input. Base64 works on
 * 3-byte groups, so depending on the secret's offset modulo 3 its full groups start at byte 0,
 * 1 or 2; those full groups encode to the same characters whatever surrounds them.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const groups = Math.floor((bytes.length - offset) / 3);
    if (groups <= 0) continue;
    const core = bytes.subarray(offset, offset + groups * 3);
    cores.push(core.toString('base64'), core.toString('base64url'));
  }
  const whole = bytes.toString('base64');
  cores.push(whole, whole.replace(/=+$/, ''), bytes.toString('base64url'));
  return cores;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
