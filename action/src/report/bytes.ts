/**
 * Text measured and cut in UTF-8 bytes, the unit of GitHub's job summary limit: a message of
 * 4,096 characters can be 16 KiB.
 */

/** The size of `text` in UTF-8. */
export function byteSize(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `text` cut to at most `max` UTF-8 bytes at a character boundary, ending in `…` when cut. */
export function truncateBytes(text: string, max: number): string {
  if (byteSize(text) <= max) return text;
  const room = max - 3; // `…` is 3 bytes
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Size(char.codePointAt(0) ?? 0);
    if (used + size > room) break;
    used += size;
    end += char.length;
  }
  return room < 0 ? '' : `${text.slice(0, end)}…`;
}

/**
 * As many of `lines` as fit in `budget` bytes once joined by line breaks, in order. When some
 * are left out, the last line is `more(count)` and the whole still fits; when not even that
 * fits, nothing.
 */
export function fitLines(
  lines: readonly string[],
  budget: number,
  more: (rest: number) => string,
): string[] {
  const sizes = lines.map((line) => byteSize(line) + 1);
  if (sizes.reduce((sum, size) => sum + size, 0) <= budget) return [...lines];
  let left = budget - (byteSize(more(lines.length)) + 1);
  const shown: string[] = [];
  for (const [index, line] of lines.entries()) {
    const size = sizes[index] ?? 0;
    if (size > left) break;
    left -= size;
    shown.push(line);
  }
  if (left < 0) return [];
  return [...shown, more(lines.length - shown.length)];
}

function utf8Size(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}
