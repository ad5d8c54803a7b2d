/** Shell completion scripts: command names, then the common options and every command's own. */

/** The shells `kustodian completion` writes for. */
export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

const commonFlags = [
  '--namespace',
  '--all-namespaces',
  '--output',
  '--kubeconfig',
  '--context',
  '--help',
];

/**
 * The completion script of `shell` for these command names; after the command, the common
 * options and `options` (the long options of the commands, such as `--revision`).
 */
export function completionScript(
  shell: Shell,
  commands: readonly string[],
  options: readonly string[] = [],
): string {
  const words = commands.join(' ');
  const flags = [...new Set([...commonFlags, ...options])].sort();
  if (shell === 'bash')
    return `# kustodian completion for bash: source <(kustodian completion bash)
_kustodian() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words}" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "${flags.join(' ')}" -- "$cur"))
  fi
}
complete -F _kustodian kustodian
`;
  if (shell === 'zsh')
    return `#compdef kustodian
# kustodian completion for zsh: source <(kustodian completion zsh)
_kustodian() {
  if (( CURRENT == 2 )); then
    compadd -- ${words}
  else
    compadd -- ${flags.join(' ')}
  fi
}
compdef _kustodian kustodian
`;
  return `# kustodian completion for fish
complete -c kustodian -f -n '__fish_use_subcommand' -a '${words}'
${flags.map((f) => `complete -c kustodian -n 'not __fish_use_subcommand' -l ${f.slice(2)}`).join('\n')}
`;
}
