/**
 * Validating what the overlays rendered: every object parses and passes its schema, kinds the
 * pinned Kubernetes version does not serve are refused, floating images are warned about, and
 * objects that two overlays deploy to the same place are reported.
 */
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import {
  type CustomKind,
  createSchemaCompiler,
  customKindsOf,
  type SchemaCompiler,
} from './crd.ts';
import { isCrd, scanRepositoryCrds } from './crd-sources.ts';
import { scanPlacements } from './deployments-scan.ts';
import { checkObjects } from './objects.ts';
import { parseOutput } from './parsed.ts';
import { clusterAnnotation, findClashes, type PlacedObject, type Placement } from './placement.ts';
import { error, type Problem } from './problems.ts';
import type { RenderedOverlay } from './render.ts';

/** The outcome of validation: every problem, and the objects of each overlay that parsed. */
export interface ValidationResult {
  readonly problems: readonly Problem[];
  readonly objects: ReadonlyMap<string, readonly ParsedObject[]>;
}

/**
 * What the repository's files say, found once per run and reused for the re-validation: the
 * custom kinds of its CRDs, and where its overlays are deployed (see `deployments.ts`).
 */
export interface CrdCatalog {
  readonly repositoryKinds: readonly CustomKind[];
  readonly compiler: SchemaCompiler;
  /** Overlay → where it is deployed; absent means the repository places none. */
  readonly placements?: ReadonlyMap<string, readonly Placement[]>;
}

/** Scans the checkout at `root` for CRDs and for what places its overlays. */
export async function loadCrdCatalog(root: string): Promise<CrdCatalog> {
  const compiler = createSchemaCompiler();
  return {
    compiler,
    repositoryKinds: scanRepositoryCrds(root, compiler),
    placements: scanPlacements(root),
  };
}

/** Validates the rendered overlays (the problems of their rendering included). */
export async function validateRendered(
  rendered: readonly RenderedOverlay[],
  catalog: CrdCatalog,
): Promise<ValidationResult> {
  const { problems, objects } = parsedOverlays(rendered);
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
  problems.push(...clashProblems(objects, rendered, catalog.placements ?? new Map()));
  return { problems, objects };
}

/**
 * The objects of each overlay that built and parsed, and the problems of the others: those of
 * their rendering, and why their output did not parse.
 */
export function parsedOverlays(rendered: readonly RenderedOverlay[]): {
  problems: Problem[];
  objects: Map<string, readonly ParsedObject[]>;
} {
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
  return { problems, objects };
}

function clashProblems(
  objects: ReadonlyMap<string, readonly ParsedObject[]>,
  rendered: readonly RenderedOverlay[],
  placements: ReadonlyMap<string, readonly Placement[]>,
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
        namespaced: typeof parsed.object.metadata.namespace === 'string',
        ...(typeof annotation === 'string' ? { cluster: annotation } : {}),
      });
    }
  }
  const fileOf = new Map(rendered.map((result) => [result.overlay, result.file]));
  return findClashes(placed, placements).map((clash) => {
    const first = clash.overlays[0] ?? '';
    const message = `${clash.id} is deployed to the cluster ${clash.cluster} by ${clash.overlays.length} overlays: ${clash.overlays.join(', ')} (placed by ${clash.sources.join(', ')}); each apply would undo the other's`;
    return error('same-place', message, { overlay: first, file: fileOf.get(first) ?? first });
  });
}
