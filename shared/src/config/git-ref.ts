/**
 * Git's rules for reference names (`git check-ref-format --allow-onelevel`, plus the branch rule
 * that a name cannot start with `-`), checked in TypeScript so a bad branch or tag is refused
 * before any git command sees it, and so a name can never be read as an option.
 */
import { z } from 'zod';
import { hasControlCharacter } from './paths.ts';

/** One rule of `git check-ref-format`, and what a name breaking it does (`contains ".."`). */
interface Rule {
  broken: (ref: string) => boolean;
  says: string;
}

const rules: readonly Rule[] = [
  { broken: (ref) => ref === '', says: 'is empty' },
  { broken: (ref) => ref === '@', says: 'is "@"' },
  { broken: (ref) => ref.startsWith('-'), says: 'starts with "-"' },
  {
    broken: (ref) => hasControlCharacter(ref) || ref.includes(' '),
    says: 'contains spaces or control characters',
  },
  { broken: (ref) => /[~^:?*[\\]/.test(ref), says: 'contains one of ~ ^ : ? * [ \\' },
  { broken: (ref) => ref.includes('..'), says: 'contains ".."' },
  { broken: (ref) => ref.includes('@{'), says: 'contains "@{"' },
  {
    broken: (ref) => ref.startsWith('/') || ref.endsWith('/'),
    says: 'starts or ends with "/"',
  },
  { broken: (ref) => ref.includes('//'), says: 'contains "//"' },
  { broken: (ref) => ref.endsWith('.'), says: 'ends with "."' },
  {
    broken: (ref) => ref.split('/').some((part) => part.startsWith('.')),
    says: 'has a part starting with "."',
  },
  {
    broken: (ref) => ref.split('/').some((part) => part.endsWith('.lock')),
    says: 'has a part ending with ".lock"',
  },
];

/**
 * What is wrong with `ref` as a branch or tag name (`contains ".."`), or `undefined`. Accepts one-level
 * names (`main`) and full ones (`refs/heads/main`).
 */
export function refNameProblem(ref: string): string | undefined {
  return rules.find((rule) => rule.broken(ref))?.says;
}

/** Whether `ref` is a valid branch or tag name. */
export function isValidRefName(ref: string): boolean {
  return refNameProblem(ref) === undefined;
}

/** A zod string that must be a valid ref name: `expected a valid git ref name, but it <rule>`. */
export function refNameSchema(): z.ZodString {
  return z.string().superRefine((ref, ctx) => {
    const problem = refNameProblem(ref);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: `expected a valid git ref name, but it ${problem}`,
        input: ref,
      });
  });
}
