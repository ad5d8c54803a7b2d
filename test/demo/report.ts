/**
 * What the demo prints: numbered steps with the time since start, indented details, one status
 * line while waiting (redrawn in place on a terminal, printed only when it changes otherwise, so
 * CI logs stay short), and the closing table of timings.
 */

/** Where the demo writes: a stream that may be a terminal. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The demo's printer. */
export interface Reporter {
  /** Starts a numbered step. */
  step(text: string): void;
  /** A line under the current step. */
  detail(text: string): void;
  /** The status line while waiting; call it on every poll. */
  progress(text: string): void;
  /** Ends the status line, leaving its last text on screen. */
  endProgress(): void;
}

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** `12.3 s` below a minute, `1 min 02 s` above. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Rows of `label  duration`, the labels padded to one width. */
export function timingLines(rows: readonly (readonly [string, number])[]): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, ms]) => `${label.padEnd(width)}  ${formatDuration(ms).padStart(10)}`);
}

/** Rows as a table with a header, columns padded to their widest cell (as kubectl prints). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('   ')
      .trimEnd(),
  );
}

/** A reporter on `out`; `now` gives the time in milliseconds. */
export function createReporter(out: Output, now: () => number = Date.now): Reporter {
  const started = now();
  let steps = 0;
  let frame = 0;
  let shown: string | undefined;
  const clock = () => `${((now() - started) / 1000).toFixed(1).padStart(6)}s`;
  const endProgress = () => {
    if (shown !== undefined && out.isTTY) out.write('\n');
    shown = undefined;
  };
  return {
    step: (text) => {
      endProgress();
      steps += 1;
      out.write(`\n[${clock()}] ${steps}. ${text}\n`);
    },
    detail: (text) => {
      endProgress();
      for (const line of text.split('\n')) out.write(`           ${line}\n`);
    },
    progress: (text) => {
      if (out.isTTY) {
        frame = (frame + 1) % spinner.length;
        out.write(`\r\x1b[2K           ${spinner[frame]} ${text}`);
        shown = text;
      } else if (text !== shown) {
        out.write(`           … ${text}\n`);
        shown = text;
      }
    },
    endProgress,
  };
}
