#!/bin/bash
# The C code keeps the style of .editorconfig, and stays in pieces a reader
# can hold: every file of at most 750 lines, every function of at most 80
# (a function body opens with "{" and closes with "}" in column 0, as the
# style writes them).
#
#   tests/unit/c_style.sh
set -eu
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/testlib.sh
. tests/lib/testlib.sh

max_columns=100
max_file_lines=750
max_function_lines=80

# Every C file of the project: tracked, or new and not ignored.
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' |
	while read -r f; do [ -f "$f" ] && echo "$f"; done)
# check_file FILE: one line per problem on stdout.
check_file() {
	awk -v max_columns="$max_columns" -v max_file="$max_file_lines" \
		-v max_fn="$max_function_lines" '
	{
		line = $0
		if (line ~ /[ \t]$/)
			printf "%s:%d: trailing white space\n", FILENAME, FNR
		if (line ~ /^ +[^ *]/)
			printf "%s:%d: indented with spaces, not tabs\n", FILENAME, FNR
		expanded = ""
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (c == "\t")
				expanded = expanded sprintf("%*s", 8 - length(expanded) % 8, "")
			else
				expanded = expanded c
		}
		if (length(expanded) > max_columns)
			printf "%s:%d: %d columns, more than %d\n", FILENAME, FNR, length(expanded), max_columns
		if (line ~ /^\{/) { start = FNR; name = prev }
		if (line ~ /^\}/ && start) {
			if (FNR - start + 1 > max_fn)
				printf "%s:%d: function of %d lines, more than %d: %s\n", FILENAME, start,
					FNR - start + 1, max_fn, name
			start = 0
		}
		if (line !~ /^\{/)
			prev = line
	}
	END {
		if (FNR > max_file)
			printf "%s: %d lines, more than %d\n", FILENAME, FNR, max_file
	}' "$1"
	if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then
		echo "$1: no newline at the end"
	fi
}

for f in "${files[@]}"; do
	problems=$(check_file "$f")
	if [ -z "$problems" ]; then
		pass
	else
		fail "$problems"
	fi
done
summary c_style
