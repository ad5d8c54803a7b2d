/**
 * Paths and path globs given by users: always relative to the repository and never able to
 * climb out of it.
 */
import { z } from 'zod';

/**
 * What keeps `path` from being used as a repository-relative path or glob (`is absolute`), or
 * `undefined` when nothing does: absolute paths (`/x`, `\x`, `C:\x`), `..` segments and control characters are refused.
 */
export function relativePathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (hasControlCharacter(path)) return 'contains control characters';
  if (/^[/\\]/.test(path) || /^[A-Za-z]:/.test(path)) return 'is absolute';
  if (path.split(/[/\\]/).includes('..')) return 'contains ".." segments';
  return undefined;
}

/** Whether `text` holds an ASCII control character (below U+0020, or DEL). */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A zod string that must be a relative path inside the repository (once `strip`ped). */
export function relativePathSchema(
  what = 'path',
  strip: (path: string) => string = (path) => path,
): z.ZodString {
  return z.string().superRefine((path, ctx) => {
    const problem = relativePathProblem(strip(path));
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a relative ${what} inside the repository, but it ${problem}`,
        input: path,
      });
    }
  });
}

/** Splits a list written one per line or comma-separated, dropping blanks. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * A zod schema reading a newline- or comma-separated list of relative globs into an array;
 * each problem names the entry's index (`overlays[1]`). An entry may start with `!` (an
 * exclusion, as in `@actions/glob`); the glob after it must be relative too.
 */
export function globListSchema() {
  return z
    .string()
    .transform(splitList)
    .pipe(z.array(relativePathSchema('glob', (glob) => glob.replace(/^!+/, ''))));
}
