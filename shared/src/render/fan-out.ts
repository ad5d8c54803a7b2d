/**
 * Rendering an aggregating kustomization by parts: its children built separately, a few at a
 * time, and their objects combined into exactly what one `kustomize build` of it gives (same
 * objects, same order, same locations), or `undefined` when that cannot be made certain and the
 * one build must run. kustomize's accumulation of many kustomizations grows faster than their
 * size: 40 children of 25 objects take 0.8 s to build together, about half that by parts two at
 * a time.
 *
 * The equivalence. `kustomize build` accumulates each child as it would build it alone, then
 * does some steps once at the top (api `internal/target/kusttarget.go` `makeCustomizedResMap`):
 * hash suffixes, name references fixed across the whole set, vars, dropping local-config
 * objects, and the output sort; and it refuses two objects of one id. A root that only lists
 * children (`fan-out-plan.ts`) adds nothing of its own. Parts that cannot rename or make objects
 * leave the top steps nothing to do across parts, with one exception handled here: `namespace`
 * records each object's previous namespace, and a name reference written as a mapping (a
 * RoleBinding's subjects, a webhook's service) then gets the namespace of a matching object in
 * another part; with `namespace` in a part and such a Kind, or such a mapping in a field meant
 * for a plain name (`name-references.ts`), in the output, the one build runs.
 * What is left is redone here: the ids checked across parts (a duplicate fails the render, as it
 * fails kustomize), and the legacy sort (`legacy-order.ts`) over all objects, which is a total
 * order on distinct ids, so the parts' own orders do not matter.
 *
 * A part that fails to build or parse, output past the render's limits, or ids that only this
 * project's parser tells apart (it ignores API versions) also send the render to the one build,
 * whose error is then the one reported. The parts share the render's time limit; when it runs
 * out the one build starts with the whole limit again.
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { StepError } from '../errors.ts';
import type { RunCommand } from '../exec.ts';
import {
  buildOverlay,
  KustomizeBuildError,
  overlayName,
  parallelBuildEnv,
} from '../kustomize/build.ts';
import type { KustomizeCommand } from '../kustomize/locate.ts';
import { findDuplicates } from '../manifests/location.ts';
import {
  ManifestParseError,
  type ParsedObject,
  type ParseLimits,
  parseManifests,
} from '../manifests/parse.ts';
import type { RenderCache } from './cache.ts';
import { type FanOutPlan, namespacedReferrerKinds } from './fan-out-plan.ts';
import { compareLegacy, identityKey, type KustomizeId, kustomizeIdOf } from './legacy-order.ts';
import { holdsNameMapping } from './name-references.ts';

/** How many parts build at once unless told: the cores, at most 4. */
export function defaultFanOutConcurrency(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** What building by parts needs: the render's tools and limits. */
export interface FanOutOptions {
  readonly kustomize: KustomizeCommand;
  readonly runCommand: RunCommand;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly parseLimits: ParseLimits;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  /** Where each part's parsed output is kept, under the checkout and the part's directory. */
  readonly cache?: RenderCache;
}

/** One part's output: its objects, as parsed from its own stream, and that stream's size. */
interface Part {
  readonly objects: ParsedObject[];
  /** Lines of the part's YAML (it ends with a line break). */
  readonly lines: number;
  readonly bytes: number;
}

/**
 * The objects of the kustomization at `path` (real path `dir`) from the plan's parts, or
 * `undefined` when the one build must run. Throws a `StepError` (step `build`) when parts hold
 * objects of one id, and the runner's errors (an abort, kustomize missing) as they are.
 */
export async function renderByParts(
  root: string,
  path: string,
  plan: FanOutPlan,
  options: FanOutOptions,
): Promise<ParsedObject[] | undefined> {
  if (plan.setsNamespace && plan.mentionsReferrers) return undefined;
  const parts = await buildParts(root, plan.parts, options);
  if (parts === undefined) return undefined;
  const entries = parts.flatMap((part) => spans(part));
  // kustomize writes no `kind: List`; an item here would be a stream this cannot place.
  if (entries.some((e) => e.parsed.location.item !== undefined)) return undefined;
  if (!withinLimits(parts, entries.length, options)) return undefined;
  if (plan.setsNamespace && entries.some((e) => mayCarryNamespace(e.parsed))) return undefined;
  assertDistinct(entries, path);
  entries.sort((a, b) => compareLegacy(a.id, b.id));
  const objects = placed(entries, path);
  // The parser names ids without API versions: two versions of one object are its to refuse.
  return findDuplicates(objects).length > 0 ? undefined : objects;
}

async function buildParts(
  root: string,
  dirs: readonly string[],
  options: FanOutOptions,
): Promise<Part[] | undefined> {
  const limit = pLimit(options.concurrency);
  const env = parallelBuildEnv(options.concurrency, availableParallelism());
  const deadline = performance.now() + options.timeoutMs;
  let failed = false;
  const one = async (dir: string): Promise<Part | undefined> => {
    if (failed) return undefined;
    const key = `${root}\u0000${dir}\u0000part`;
    const cached = options.cache?.get(key);
    if (cached !== undefined) return JSON.parse(cached) as Part;
    const name = overlayName(root, dir);
    try {
      const built = await buildOverlay({
        kustomize: options.kustomize,
        overlayDir: dir,
        root,
        runCommand: options.runCommand,
        timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
        maxOutputBytes: options.maxOutputBytes,
        loadRestrictor: 'rootOnly',
        env,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const part: Part = {
        objects: parseManifests(built.yaml, name, options.parseLimits),
        lines: lineCount(built.yaml),
        bytes: Buffer.byteLength(built.yaml),
      };
      options.cache?.set(key, JSON.stringify(part));
      return part;
    } catch (thrown) {
      if (!(thrown instanceof KustomizeBuildError || thrown instanceof ManifestParseError)) {
        limit.clearQueue();
        throw thrown;
      }
      // The one build will say what is wrong; parts still waiting see `failed` and return at
      // once (a cleared queue's promises would never settle).
      failed = true;
      return undefined;
    }
  };
  const parts = await Promise.all(dirs.map((dir) => limit(() => one(dir))));
  return failed ? undefined : (parts as Part[]);
}

/** An object of a part, its kustomize id and how many lines of the stream it takes. */
interface Entry {
  readonly parsed: ParsedObject;
  readonly id: KustomizeId;
  /** Its document's lines and the `---` line after it. */
  readonly span: number;
}

function spans(part: Part): Entry[] {
  return part.objects.map((parsed, i) => {
    const next = part.objects[i + 1]?.location.line ?? part.lines + 2;
    return { parsed, id: kustomizeIdOf(parsed.object), span: next - parsed.location.line };
  });
}

/** Whether kustomize could give a reference in this object another part's namespace. */
function mayCarryNamespace(parsed: ParsedObject): boolean {
  return namespacedReferrerKinds.has(parsed.object.kind) || holdsNameMapping(parsed.object);
}

/** Whether the one build's output would have stayed within the render's limits. */
function withinLimits(parts: readonly Part[], objects: number, options: FanOutOptions): boolean {
  const filled = parts.filter((part) => part.objects.length > 0);
  const separators = Math.max(0, filled.length - 1) * '---\n'.length;
  const bytes = filled.reduce((sum, part) => sum + part.bytes, separators);
  return (
    bytes <= options.maxOutputBytes &&
    bytes <= options.parseLimits.maxBytes &&
    objects <= options.parseLimits.maxDocuments
  );
}

/** kustomize refuses a build in which two objects have one id; so does this. */
function assertDistinct(entries: readonly Entry[], path: string): void {
  const seen = new Map<string, Entry>();
  const twice = new Set<string>();
  for (const entry of entries) {
    const key = identityKey(entry.id);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, entry);
    else twice.add(describe(first.parsed));
  }
  if (twice.size === 0) return;
  throw new StepError(
    'build',
    path,
    `objects defined in more than one of its resources: ${[...twice].join(', ')}`,
  );
}

function describe(parsed: ParsedObject): string {
  return `${parsed.id} (${parsed.object.apiVersion})`;
}

/** The objects in their final order, placed where one stream of them would hold them. */
function placed(entries: readonly Entry[], path: string): ParsedObject[] {
  let line = 1;
  return entries.map((entry, i) => {
    const object: ParsedObject = {
      ...entry.parsed,
      location: { source: path, document: i + 1, line },
    };
    line += entry.span;
    return object;
  });
}

function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
