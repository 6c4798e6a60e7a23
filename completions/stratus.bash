# bash completion for stratus.
#   load it:    source <(stratus completion bash)
#   install it: stratus completion bash > ~/.local/share/bash-completion/completions/stratus
# Every name comes from the binary itself (the hidden `stratus __complete`), so this file does not
# change when commands or options do. When it offers nothing, bash completes file names.

_stratus() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <("${COMP_WORDS[0]}" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}

complete -o default -F _stratus stratus
