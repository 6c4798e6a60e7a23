# Handlers for bootstrap: each function reads the event (JSON) on stdin and prints its response.

hello() {
  # The event is an HTTP API payload (format 2.0); take its path when it is plain text.
  path="$(sed -n 's/.*"rawPath" *: *"\([^"]*\)".*/\1/p' | head -n 1)"
  case "$path" in *[!A-Za-z0-9/._-]* | "") path=/ ;; esac
  printf '{"statusCode":200,"headers":{"content-type":"application/json"},'
  printf '"body":"{\\"message\\":\\"Hello from a shell function!\\",\\"path\\":\\"%s\\"}"}' "$path"
}
