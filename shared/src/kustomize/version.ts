/**
 * Reading the kustomize version out of what `kustomize version` and
 * `kubectl version --client -o json` print. Pure: the commands run elsewhere.
 */

// A semantic version, optionally behind `v` and a `kustomize/` prefix, as kustomize prints it.
const semver = /(?:^|[^0-9A-Za-z.])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?![0-9A-Za-z.])/;

/**
 * The version in `kustomize version` output: `v5.8.2` (v5), or
 * `{Version:kustomize/v4.5.7 GitCommit:... BuildDate:...}` (v3, v4). Always with a leading `v`;
 * `undefined` when the output holds no version, as with a `(devel)` build.
 */
export function parseKustomizeVersion(output: string): string | undefined {
  const labelled = /Version:\s*(?:kustomize\/)?v?(\d+\.\d+\.\d+[^\s}]*)/.exec(output);
  const match = labelled ?? semver.exec(output);
  return match?.[1] === undefined ? undefined : `v${match[1]}`;
}

/**
 * The bundled kustomize version in `kubectl version --client -o json` output (its
 * `kustomizeVersion` field, printed since kubectl 1.24); `undefined` when absent or not JSON.
 */
export function parseKubectlKustomizeVersion(json: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('kustomizeVersion' in parsed)) {
    return undefined;
  }
  const field = parsed.kustomizeVersion;
  return typeof field === 'string' ? parseKustomizeVersion(field) : undefined;
}
