/**
 * The action's checks of one checkout, steps 5 to 7 of its pipeline (`run.ts`): discover the
 * overlays, build them all (jailed), and validate what they render. The CLI's `kustodian build`
 * and `kustodian validate` run exactly this on a local checkout, so they find the same problems
 * with the same messages as the action.
 */
import { StepError } from '@kustodian/shared/errors';
import { findOverlays } from '@kustodian/shared/kustomize/discover';
import { preloadBuiltinValidators } from './builtin.ts';
import type { Problem } from './problems.ts';
import {
  checkoutReads,
  type RenderedOverlay,
  type RenderOptions,
  renderOverlays,
} from './render.ts';
import {
  type CrdCatalog,
  loadCrdCatalog,
  parsedOverlays,
  type ValidationResult,
  validateRendered,
} from './validate.ts';

/** What checking a checkout needs: what rendering needs, and which overlays, how far. */
export interface CheckoutCheck extends RenderOptions {
  /** The `overlays` globs (`!` excludes); every overlay when empty. */
  readonly include: readonly string[];
  /** `build` stops after building (and parsing); `validate` checks the objects too. */
  readonly until: 'build' | 'validate';
  /** Gets the action's progress lines (`overlays to build (2): …`, `built 2 overlays in …`). */
  readonly info?: (line: string) => void;
  /** Milliseconds, for the build time; `started` is when the run began. */
  readonly now?: () => number;
  readonly started?: number;
}

/** What the checks found. */
export interface CheckedCheckout {
  readonly overlays: readonly string[];
  readonly rendered: readonly RenderedOverlay[];
  /** Every problem: of the builds, of parsing, and (with `validate`) of the objects. */
  readonly problems: readonly Problem[];
  /** With `validate`: the objects of each overlay and the catalog they were checked with. */
  readonly validated?: ValidationResult;
  readonly catalog?: CrdCatalog;
}

/**
 * Runs the checks. Throws a `StepError` (`discover overlays: no overlay found …`) when no
 * overlay matches; every other failure is a problem in the result.
 */
export async function checkCheckout(check: CheckoutCheck): Promise<CheckedCheckout> {
  const now = check.now ?? Date.now;
  const started = check.started ?? now();
  // 5. Discover the overlays; the jail walks of step 6 answer from the same reads.
  const reads = check.reads ?? checkoutReads();
  const overlays = await findOverlays(check.root, { include: check.include, reads });
  if (overlays.length === 0)
    throw new StepError(
      'discover',
      'overlays',
      `no overlay found${check.include.length > 0 ? ` matching ${check.include.join(', ')}` : ''}`,
    );
  check.info?.(`overlays to build (${overlays.length}): ${overlays.join(', ')}`);
  // 6. Build every overlay, a bounded number at once; meanwhile, find the repository's CRDs.
  //    The scan for them reads the repository's YAML files with blocking calls, so it starts
  //    on the next turn of the event loop, once the first builds are under way, not before.
  const catalogLoad =
    check.until === 'validate' ? nextTurn().then(() => loadCrdCatalog(check.root)) : undefined;
  catalogLoad?.catch(() => {}); // awaited below; not unhandled if rendering throws first
  const {
    include: _include,
    until: _until,
    info: _info,
    now: _now,
    started: _started,
    ...render
  } = check;
  //    As each build ends, start loading the schemas of its kinds, for step 7.
  const onRendered = catalogLoad === undefined ? undefined : preloadSchemasOf;
  const rendered = await renderOverlays(overlays, {
    ...render,
    reads,
    ...(onRendered === undefined ? {} : { onRendered }),
  });
  check.info?.(`built ${overlays.length} overlays in ${Math.round(now() - started)} ms`);
  if (catalogLoad === undefined)
    return { overlays, rendered, problems: parsedOverlays(rendered).problems };
  // 7. Validate what they render.
  const catalog = await catalogLoad;
  const validated = await validateRendered(rendered, catalog);
  return { overlays, rendered, problems: validated.problems, validated, catalog };
}

function preloadSchemasOf(result: RenderedOverlay): void {
  if (result.parsed !== undefined && 'objects' in result.parsed)
    preloadBuiltinValidators(result.parsed.objects.map((parsed) => parsed.object));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
