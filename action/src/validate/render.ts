/**
 * Rendering overlays: the build jail first (nothing that leaves the checkout, fetches remote
 * content or runs a program), then `kustomize build`, many at once within a bound. A jailed or
 * failed overlay is a result with problems, not a throw.
 */

import { join } from 'node:path';
import type { RunCommand } from '@kustodian/shared/exec';
import { buildOverlays } from '@kustodian/shared/kustomize/build';
import { checkOverlayJail } from '@kustodian/shared/kustomize/jail';
import type { KustomizeCommand } from '@kustodian/shared/kustomize/locate';
import { findKustomizationFile, posixRelative } from '@kustodian/shared/kustomize/read';
import { error, type Problem } from './problems.ts';

/** One overlay's rendering: its YAML when it built, its problems when it did not. */
export interface RenderedOverlay {
  /** Relative to the repository root. */
  readonly overlay: string;
  /** Its kustomization file, relative to the repository root. */
  readonly file: string;
  readonly yaml?: string;
  readonly problems: readonly Problem[];
}

/** What rendering needs. */
export interface RenderOptions {
  readonly root: string;
  readonly kustomize: KustomizeCommand;
  readonly runCommand: RunCommand;
  readonly concurrency: number;
  /** One build's time limit; 5 minutes when absent. */
  readonly timeoutMs?: number;
}

/** Renders `overlays` (relative to `options.root`), in input order. */
export async function renderOverlays(
  overlays: readonly string[],
  options: RenderOptions,
): Promise<RenderedOverlay[]> {
  const jailed = await Promise.all(overlays.map((overlay) => jailProblems(overlay, options.root)));
  const files = await Promise.all(
    overlays.map((overlay) => kustomizationFile(options.root, overlay)),
  );
  const buildable = overlays.filter((_, index) => jailed[index]?.length === 0);
  const built = await buildOverlays(buildable, {
    kustomize: options.kustomize,
    root: options.root,
    runCommand: options.runCommand,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs ?? 300_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
  const byOverlay = new Map(built.map((result) => [result.overlayDir, result]));
  return overlays.map((overlay, index) => {
    const file = files[index] ?? overlay;
    const problems = jailed[index] ?? [];
    const result = byOverlay.get(overlay);
    if (result === undefined) return { overlay, file, problems };
    if (result.outcome === 'built') return { overlay, file, yaml: result.yaml, problems: [] };
    const message = result.error.message;
    return { overlay, file, problems: [error('build', message, { overlay, file })] };
  });
}

async function jailProblems(overlay: string, root: string): Promise<Problem[]> {
  const violations = await checkOverlayJail({ root, overlayDir: overlay });
  return violations.map((violation) => {
    const field = violation.field === '' ? '' : ` ${violation.field}`;
    const message = `build ${overlay}: ${violation.file}${field} "${violation.value}": ${violation.message}`;
    return error('jail', message, { overlay, file: violation.file });
  });
}

async function kustomizationFile(root: string, overlay: string): Promise<string> {
  const found = await findKustomizationFile(join(root, overlay));
  return found === undefined ? overlay : posixRelative(root, found);
}
