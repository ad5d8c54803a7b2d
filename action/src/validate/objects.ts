/**
 * Checking the objects one overlay renders: each against its schema (a CRD's from the
 * repository, else the pinned Kubernetes version's), kinds the pinned version does not serve,
 * and images that float.
 */
import { formatLocation } from '@kustodian/shared/manifests/location';
import { groupOf, versionOf } from '@kustodian/shared/manifests/object-id';
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import { builtinValidator, retiredApiVersions, type SchemaViolation } from './builtin.ts';
import type { CustomKinds } from './crd.ts';
import { containerImages, floatingImageProblem } from './images.ts';
import { metadataViolations } from './metadata.ts';
import { percentViolations } from './percent.ts';
import { error, type Problem, warning } from './problems.ts';
import {
  isBuiltinGroup,
  isServed,
  pinnedKubernetesVersion,
  servedApiVersionsOfKind,
  servedVersionsOf,
} from './served.ts';

/** Where an overlay's problems are filed. */
export interface OverlayPlace {
  /** The overlay, relative to the repository root. */
  readonly overlay: string;
  /** Its kustomization file, relative to the repository root. */
  readonly file: string;
}

/** Every problem of the objects one overlay rendered. */
export async function checkObjects(
  place: OverlayPlace,
  objects: readonly ParsedObject[],
  custom: CustomKinds,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const floating = new Set<string>();
  for (const parsed of objects) {
    problems.push(...(await checkSchema(place, parsed, custom)));
    for (const { image } of containerImages(parsed.object)) {
      const why = floatingImageProblem(image);
      if (why === undefined || floating.has(image)) continue;
      floating.add(image);
      problems.push(warning('image', `${parsed.id}: ${why}`, place));
    }
  }
  return problems;
}

async function checkSchema(
  place: OverlayPlace,
  parsed: ParsedObject,
  custom: CustomKinds,
): Promise<Problem[]> {
  const { apiVersion, kind } = parsed.object;
  const group = groupOf(apiVersion);
  const at = () => `${parsed.id} (${formatLocation(parsed.location)})`;
  const customKind = custom.get(`${group}/${versionOf(apiVersion)}/${kind}`);
  const ofMetadata = metadataViolations(parsed.object);
  if (customKind !== undefined)
    return violations(place, at, [...ofMetadata, ...(await customKind.validate(parsed.object))]);
  if (isServed(apiVersion, kind)) {
    const validate = await builtinValidator(apiVersion, kind);
    const found = (await validate?.(parsed.object)) ?? [];
    return violations(place, at, [...ofMetadata, ...found, ...percentViolations(parsed.object)]);
  }
  if (retiredApiVersions.has(apiVersion) || isBuiltinGroup(group)) {
    const sameGroup = servedVersionsOf(group, kind);
    const served = sameGroup.length > 0 ? sameGroup : servedApiVersionsOfKind(kind);
    const instead = served.length > 0 ? `; use ${served.join(' or ')}` : '';
    const message = `${at()}: ${apiVersion} ${kind} is not served by Kubernetes ${pinnedKubernetesVersion} (removed, or not enabled by default)${instead}`;
    return [error('api-version', message, place)];
  }
  const message = `${at()}: no schema for ${apiVersion} ${kind}: no CustomResourceDefinition in the repository defines it, so it was not validated`;
  return [warning('unknown-kind', message, place)];
}

/** The problems of `found`; `at` names the object, spelled only when something was found. */
function violations(
  place: OverlayPlace,
  at: () => string,
  found: readonly SchemaViolation[],
): Problem[] {
  if (found.length === 0) return [];
  const object = at();
  return found.map((violation) => {
    const field = fieldPath(violation.pointer);
    const where = field === '' ? object : `${object} ${field}`;
    return error('schema', `${where}: ${violation.message}`, place);
  });
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function fieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}
