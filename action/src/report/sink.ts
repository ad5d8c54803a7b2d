/**
 * Where the action's results go: log lines, annotations, step outputs and the job summary. The
 * real sink is `@actions/core` (see `../runner.ts`); tests collect into memory. `redacting`
 * wraps a sink so that nothing reaches it with a secret in it.
 */
import { redactAll } from '@kustodian/shared/redact';

/** The step outputs the action sets. */
export const outputNames = [
  'commit-sha',
  'changed',
  'changed-paths',
  'pull-request-url',
  'diff-file',
] as const;
export type OutputName = (typeof outputNames)[number];

/** Where an annotation points. */
export interface AnnotationPlace {
  readonly file?: string;
  readonly line?: number;
  readonly title?: string;
}

/** The output boundary. */
export interface ActionSink {
  info(line: string): void;
  warning(message: string, place?: AnnotationPlace): void;
  error(message: string, place?: AnnotationPlace): void;
  setOutput(name: OutputName, value: string): void;
  /** Masks a value in the runner's logs from now on. */
  setSecret(value: string): void;
  /** Appends Markdown to the job summary. */
  appendSummary(markdown: string): Promise<void>;
}

/** `sink`, with every text passed through `redactAll` for `secrets` first. */
export function redacting(sink: ActionSink, secrets: readonly string[]): ActionSink {
  const clean = (text: string): string => redactAll(text, secrets);
  const place = (where?: AnnotationPlace): AnnotationPlace | undefined =>
    where?.title === undefined ? where : { ...where, title: clean(where.title) };
  return {
    info: (line) => sink.info(clean(line)),
    warning: (message, where) => sink.warning(clean(message), place(where)),
    error: (message, where) => sink.error(clean(message), place(where)),
    setOutput: (name, value) => sink.setOutput(name, clean(value)),
    setSecret: (value) => sink.setSecret(value),
    appendSummary: (markdown) => sink.appendSummary(clean(markdown)),
  };
}
