// Package pyfmt prints values the way the Python originals of the examples
// do (a list of strings as ['a', 'b']), so the outputs compare equal.
package pyfmt

import (
	"fmt"
	"strings"
)

// Repr is Python's repr of a string, a number, a list or nil.
func Repr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + strings.ReplaceAll(t, "'", "\\'") + "'"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = Repr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = Repr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// Dict is Python's repr of a dict of strings with keys in insertion order.
func Dict(keys []string, m map[string]string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = Repr(k) + ": " + Repr(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
