/**
 * Whether an aggregating kustomization may be built by parts (`fan-out.ts`), read statically
 * from the checkout: which kustomizations to build separately, or `undefined` when the one build
 * must stay one.
 *
 * The root qualifies when its kustomization holds only `apiVersion`, `kind` and `resources`, and
 * every resource is a directory of the checkout with a kustomization: such a kustomization adds
 * nothing of its own, so its build is its children's, accumulated. A child of the same shape is
 * opened in turn; every other child is a part. A part, and every kustomization it reaches, may
 * hold only keys that change objects in place, within that part (`partKeys`); anything that
 * names, generates or patches objects, loads plugins, schemas or transformer configurations, or
 * reaches a remote, keeps the one build. Resource files may not mention kustomize's own
 * annotations (`config.kubernetes.io/`, `config.k8s.io/`): local-config objects, build
 * annotations and hash requests act at the top of a build, across parts.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Kustomization, kustomizationFileNames, listOf } from '../kustomize/kustomization.ts';
import {
  findKustomizationFile,
  inside,
  kustomizationOf,
  readBoundedFile,
} from '../kustomize/read.ts';

/** The keys of a kustomization that only lists its children. */
const aggregateKeys: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'resources']);

/**
 * The keys a part may hold: none renames an object, makes one, or reads another part's objects.
 * (`namespace` does record each object's previous namespace, which name references across parts
 * can follow: `fan-out.ts` keeps the one build when that could matter.)
 */
export const partKeys: ReadonlySet<string> = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'commonLabels',
  'commonAnnotations',
  'images',
  'replicas',
]);

/** Text in a resource file that means kustomize may act on it at the top of the build. */
const topLevelMarkers = ['config.kubernetes.io/', 'config.k8s.io/'] as const;

/**
 * The Kinds with name references that can be mappings with a namespace, in kustomize's default
 * `nameReference` configuration (api `internal/konfig/builtinpluginconsts/namereference.go`):
 * `subjects`, `webhooks/clientConfig/service`, `spec/configSource/configMap`,
 * `parameters/secretRef`.
 */
export const namespacedReferrerKinds: ReadonlySet<string> = new Set([
  'RoleBinding',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'Node',
  'StorageClass',
]);
const referrerWords = new RegExp(`\\b(?:${[...namespacedReferrerKinds].join('|')})\\b`);

/**
 * YAML that two parsers may read apart: anchors, aliases, tags and merge keys. A kustomization
 * that kustomize reads some other way than this project would be planned wrong.
 */
const unusualYaml = /<<|(?:^|[\s,[{:-])[&*!]\S/m;

/** Plain scalars YAML 1.1 (kustomize's reader) may take for something other than a path. */
const notAPath = /^(?:y|yes|n|no|on|off|true|false|null|~|[-+]?[0-9._]*[0-9][0-9._eE+-]*)$/i;

/** The parts to build, in no particular order (their objects are sorted again). */
export interface FanOutPlan {
  /** Real paths of the kustomization directories to build separately. */
  readonly parts: readonly string[];
  /** Whether some part sets `namespace`. */
  readonly setsNamespace: boolean;
  /** Whether a resource file of a part mentions a Kind of {@link namespacedReferrerKinds}. */
  readonly mentionsReferrers: boolean;
}

/** How much reading a plan may do before it gives up on the fan-out. */
export interface PlanLimits {
  /** Kustomization and resource files read. */
  readonly maxFiles: number;
  /** Bytes of one resource file. */
  readonly maxFileBytes: number;
}

/** The plan for the kustomization in `dir` of the checkout at `root`, or `undefined`. */
export async function planFanOut(
  root: string,
  dir: string,
  limits: PlanLimits,
): Promise<FanOutPlan | undefined> {
  const walk = new Walk(root, limits);
  const seen = new Set([dir]);
  const top = await walk.kustomizationAt(dir);
  if (top === undefined) return undefined;
  const children = await walk.aggregated(top);
  if (children === undefined || children.length < 2) return undefined;
  const parts: string[] = [];
  const pending = [...children];
  for (let child = pending.shift(); child !== undefined; child = pending.shift()) {
    // A directory reached twice: a cycle, or objects twice; the one build says which.
    if (seen.has(child)) return undefined;
    seen.add(child);
    const opened = await walk.kustomizationAt(child);
    if (opened === undefined) return undefined;
    const grandchildren = await walk.aggregated(opened);
    if (grandchildren !== undefined) pending.push(...grandchildren);
    else if (await walk.partIsPlain(opened, new Set())) parts.push(child);
    else return undefined;
    if (walk.exhausted()) return undefined;
  }
  return {
    parts,
    setsNamespace: walk.setsNamespace,
    mentionsReferrers: walk.mentionsReferrers,
  };
}

interface Opened {
  readonly dir: string;
  readonly kustomization: Kustomization;
}

/** One plan's reading: its budget and what it saw. */
class Walk {
  setsNamespace = false;
  mentionsReferrers = false;
  private files = 0;
  private readonly root: string;
  private readonly limits: PlanLimits;

  constructor(root: string, limits: PlanLimits) {
    this.root = root;
    this.limits = limits;
  }

  exhausted(): boolean {
    return this.files > this.limits.maxFiles;
  }

  /**
   * The kustomization of a directory of the checkout, when it is its only one (kustomize refuses
   * two) and reads plainly as a Kustomization.
   */
  async kustomizationAt(dir: string): Promise<Opened | undefined> {
    const files = kustomizationFileNames.map((name) => join(dir, name));
    const present = await Promise.all(
      files.map((f) =>
        lstat(f).then(
          () => f,
          () => undefined,
        ),
      ),
    );
    const found = present.filter((file) => file !== undefined);
    if (found.length !== 1 || found[0] === undefined) return undefined;
    this.files++;
    const text = await readBoundedFile(found[0]);
    if (!('text' in text) || unusualYaml.test(text.text)) return undefined;
    const read = kustomizationOf(text);
    if (!('kustomization' in read)) return undefined;
    const { apiVersion, kind } = read.kustomization;
    if (apiVersion !== undefined && apiVersion !== 'kustomize.config.k8s.io/v1beta1')
      return undefined;
    if (kind !== undefined && kind !== 'Kustomization') return undefined;
    return { dir, kustomization: read.kustomization };
  }

  /** The children of an aggregating kustomization, or `undefined` when it is not one. */
  async aggregated(opened: Opened): Promise<string[] | undefined> {
    const k = opened.kustomization;
    if (!Object.keys(k).every((key) => aggregateKeys.has(key))) return undefined;
    if (!Array.isArray(k.resources)) return undefined;
    const children: string[] = [];
    for (const entry of k.resources) {
      const target = await this.local(opened.dir, entry);
      if (target?.kind !== 'dir') return undefined;
      children.push(target.path);
    }
    return children;
  }

  /** Whether a part and all it reaches hold only {@link partKeys} and plain resource files. */
  async partIsPlain(opened: Opened, visiting: ReadonlySet<string>): Promise<boolean> {
    if (visiting.has(opened.dir)) return false; // a cycle: kustomize's to report
    const k = opened.kustomization;
    if (!Object.keys(k).every((key) => partKeys.has(key))) return false;
    if (k.namespace !== undefined) this.setsNamespace = true;
    if (k.resources !== undefined && !Array.isArray(k.resources)) return false;
    const path = new Set([...visiting, opened.dir]);
    for (const entry of listOf(k.resources)) {
      const target = await this.local(opened.dir, entry);
      if (target === undefined || this.exhausted()) return false;
      if (target.kind === 'file') {
        if (!(await this.plainFile(target.path))) return false;
        continue;
      }
      const nested = await this.kustomizationAt(target.path);
      if (nested === undefined || !(await this.partIsPlain(nested, path))) return false;
    }
    return true;
  }

  /** A resource file without kustomize's annotations, noting the Kinds it mentions. */
  private async plainFile(file: string): Promise<boolean> {
    this.files++;
    const read = await readBoundedFile(file, this.limits.maxFileBytes);
    if (!('text' in read)) return false;
    if (topLevelMarkers.some((marker) => read.text.includes(marker))) return false;
    if (referrerWords.test(read.text)) this.mentionsReferrers = true;
    return true;
  }

  /** A resource entry as a file or a directory (with a kustomization) of the checkout. */
  private async local(
    dir: string,
    entry: unknown,
  ): Promise<{ kind: 'file' | 'dir'; path: string } | undefined> {
    if (typeof entry !== 'string' || entry === '' || entry.includes('\n')) return undefined;
    if (notAPath.test(entry)) return undefined;
    const real = await realpath(resolve(dir, entry)).catch(() => undefined);
    if (real === undefined || !inside(this.root, real)) return undefined;
    const info = await stat(real).catch(() => undefined);
    if (info?.isFile()) return { kind: 'file', path: real };
    if (!info?.isDirectory()) return undefined;
    return (await findKustomizationFile(real)) === undefined
      ? undefined
      : { kind: 'dir', path: real };
  }
}
