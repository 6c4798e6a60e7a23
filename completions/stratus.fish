# fish completion for stratus.
#   load it:    stratus completion fish | source
#   install it: stratus completion fish > ~/.config/fish/completions/stratus.fish
# Every name comes from the binary itself (the hidden `stratus __complete`), so this file does not
# change when commands or options do. When it offers nothing, fish completes file names.

function __stratus_complete
    set -l words (commandline -opc)
    set -l program $words[1]
    set -e words[1]
    set -l current (commandline -ct)
    set -l candidates (command $program __complete -- $words "$current" 2>/dev/null)
    if test (count $candidates) -gt 0
        printf '%s\n' $candidates
    else
        __fish_complete_path "$current"
    end
end

complete -c stratus -f -a '(__stratus_complete)'
