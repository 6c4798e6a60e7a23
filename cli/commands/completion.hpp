#pragma once
// Shell completion. The scripts in completions/ hold no names: they run the hidden
// `stratus __complete -- <words>` and offer what it prints, one candidate per line, so every
// command and option registered in the binary completes without touching them.
#include <span>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace stratus {

// The candidates for the last of `words`: the words after the program name up to the cursor,
// the last being the (possibly empty) word under it. Offers the subcommands of the command
// reached so far, its options and the global ones (a word starting with '-'), and the values
// the binary knows for an option or positional (--template, --format, completion's shell).
// Candidates start with the word being completed; "--opt=pre" completes to "--opt=value". A
// bash-style split "--opt", "=", "pre" is understood too. Nothing known -> empty (the scripts
// then offer file names).
std::vector<std::string> complete_words(const CLI::App& root, std::span<const std::string> words);

// The shells `stratus completion` has a script for, sorted: bash, fish, zsh.
std::vector<std::string> completion_shells();

}  // namespace stratus
