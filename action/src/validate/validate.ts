/**
 * Validating what the overlays rendered: every object parses and passes its schema, kinds the
 * pinned Kubernetes version does not serve are refused, floating images are warned about, and
 * objects that two overlays deploy to the same place are reported.
 */
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import { type CustomKind, createSchemaCompiler, customKindsOf } from './crd.ts';
import { isCrd, scanRepositoryCrds } from './crd-sources.ts';
import { checkObjects } from './objects.ts';
import { parseOutput } from './parsed.ts';
import { clusterAnnotation, findClashes, type PlacedObject } from './placement.ts';
import { error, type Problem } from './problems.ts';
import type { RenderedOverlay } from './render.ts';

/** The outcome of validation: every problem, and the objects of each overlay that parsed. */
export interface ValidationResult {
  readonly problems: readonly Problem[];
  readonly objects: ReadonlyMap<string, readonly ParsedObject[]>;
}

/** Custom kinds of the repository's CRDs, found once per run and reused for the re-validation. */
export interface CrdCatalog {
  readonly repositoryKinds: readonly CustomKind[];
  readonly compiler: ReturnType<typeof createSchemaCompiler>;
}

/** Scans the checkout at `root` for CRDs. */
export async function loadCrdCatalog(root: string): Promise<CrdCatalog> {
  const compiler = createSchemaCompiler();
  return { compiler, repositoryKinds: scanRepositoryCrds(root, compiler) };
}

/** Validates the rendered overlays (the problems of their rendering included). */
export async function validateRendered(
  rendered: readonly RenderedOverlay[],
  catalog: CrdCatalog,
): Promise<ValidationResult> {
  const problems: Problem[] = rendered.flatMap((result) => result.problems);
  const objects = new Map<string, readonly ParsedObject[]>();
  for (const result of rendered) {
    if (result.yaml === undefined) continue;
    const parsed = result.parsed ?? parseOutput(result.yaml, result.overlay);
    if ('objects' in parsed) {
      objects.set(result.overlay, parsed.objects);
      continue;
    }
    const where = { overlay: result.overlay, file: result.file };
    for (const problem of parsed.problems) {
      problems.push(error('parse', `parse ${result.overlay} output: ${problem}`, where));
    }
  }
  const custom = new Map(catalog.repositoryKinds.map((kind) => [kind.key, kind]));
  for (const [overlay, list] of objects) {
    for (const parsed of list.filter((p) => isCrd(p.object))) {
      for (const kind of customKindsOf(parsed.object, overlay, catalog.compiler))
        custom.set(kind.key, kind);
    }
  }
  for (const result of rendered) {
    const list = objects.get(result.overlay);
    if (list === undefined) continue;
    problems.push(
      ...(await checkObjects({ overlay: result.overlay, file: result.file }, list, custom)),
    );
  }
  problems.push(...clashProblems(objects, rendered));
  return { problems, objects };
}

function clashProblems(
  objects: ReadonlyMap<string, readonly ParsedObject[]>,
  rendered: readonly RenderedOverlay[],
): Problem[] {
  const placed: PlacedObject[] = [];
  for (const [overlay, list] of objects) {
    for (const parsed of list) {
      const cluster = parsed.object.metadata.annotations;
      const annotation =
        typeof cluster === 'object' && cluster !== null
          ? (cluster as Record<string, unknown>)[clusterAnnotation]
          : undefined;
      placed.push({
        id: parsed.id,
        overlay,
        ...(typeof annotation === 'string' ? { cluster: annotation } : {}),
      });
    }
  }
  const fileOf = new Map(rendered.map((result) => [result.overlay, result.file]));
  return findClashes(placed).map((clash) => {
    const first = clash.overlays[0] ?? '';
    const message = `${clash.id} is deployed to cluster "${clash.cluster}" by ${clash.overlays.length} overlays: ${clash.overlays.join(', ')}; each apply would undo the other's (set ${clusterAnnotation} or rename an overlay directory if they deploy to different clusters)`;
    return error('same-place', message, { overlay: first, file: fileOf.get(first) ?? first });
  });
}
