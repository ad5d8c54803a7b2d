/**
 * What a runner does with a step's output, as pure functions: workflow commands
 * (`::error file=...::message`, `::group::`, `::add-mask::`) become the lines the job log shows,
 * masked values become `***`, and the `GITHUB_OUTPUT` file becomes the step's outputs.
 */

/** `::name params::message`, the workflow command syntax. */
const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/;

/** Undoes the escaping of workflow command messages and properties. */
function unescapeCommand(text: string): string {
  return text
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

/** `file=a.yaml,line=3` as the `a.yaml:3` prefix of an annotation. */
function location(params: string | undefined): string {
  if (!params) return '';
  const props = new Map(
    params.split(',').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), unescapeCommand(pair.slice(at + 1))] as const;
    }),
  );
  const file = props.get('file');
  if (!file) return '';
  const line = props.get('line');
  return `${file}${line ? `:${line}` : ''}: `;
}

/** The lines the runner would show for one line of output, or none. */
function renderLine(line: string, masks: string[]): string[] {
  const match = command.exec(line);
  if (!match) return [line];
  const [, name = '', params, raw = ''] = match;
  const message = unescapeCommand(raw);
  switch (name) {
    case 'add-mask':
      if (message !== '') masks.push(message);
      return [];
    case 'group':
      return [`▸ ${message}`];
    case 'endgroup':
    case 'debug':
    case 'save-state':
    case 'set-output':
      return [];
    case 'error':
    case 'warning':
    case 'notice':
      return `${name[0]?.toUpperCase()}${name.slice(1)}: ${location(params)}${message}`.split('\n');
    default:
      return [line];
  }
}

/**
 * A step's output as the job log shows it: one entry per line, without trailing blank lines,
 * every value in `secrets` and every `::add-mask::` value (from the line it is announced on)
 * replaced by `***`.
 */
export function renderRunnerLog(output: string, secrets: readonly string[]): string[] {
  const masks = secrets.filter((secret) => secret.length > 0);
  const lines: string[] = [];
  for (const line of output.split('\n')) {
    for (const shown of renderLine(line.replace(/\r$/, ''), masks)) {
      lines.push(masks.reduce((text, mask) => text.split(mask).join('***'), shown));
    }
  }
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  return lines;
}

/** Reads a `GITHUB_OUTPUT` file: `name<<delimiter` heredocs and `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      outputs[name] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}
