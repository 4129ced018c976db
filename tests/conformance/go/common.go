package main

import (
	"errors"
	"fmt"
	"math"

	"libasyncore.org/go/asyncore"
)

// Helpers of the scenarios ported from 57 on: asyncio's exception
// vocabulary as harness.py prints it.

// cls is the error's asyncio class (harness.cls).
func cls(err error) string { return asyncore.ClassOf(err) }

// msg is the error's message (harness.msg).
func msg(err error) string {
	var e *asyncore.Error
	if errors.As(err, &e) && e == err {
		return e.Message
	}
	return err.Error()
}

// describe is "Class: message", or the class alone for an empty message
// (harness.describe).
func describe(err error) string {
	if m := msg(err); m != "" {
		return cls(err) + ": " + m
	}
	return cls(err)
}

// code is the name of the error's code (harness.code).
func code(err error) string { return codeName(err) }

// say prints a line without the time (harness.say).
func say(format string, args ...any) { trace(format, args...) }

// must ends the scenario with err, a failure it does not expect: the
// panic comes out of main as its error (in a task, as the task's).
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// must1 is must for a call that also returns a value.
func must1[T any](v T, err error) T {
	must(err)
	return v
}

// is reports whether err is of the kind an except clause names.
func is(err error, kind error) bool { return err != nil && errors.Is(err, kind) }

// join prints values the way the scenarios join lists.
func join(vs ...any) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(v)
	}
	return s
}

// register adds a file's scenarios to the table main searches.
func register(table map[string]asyncore.TaskFunc) {
	for name, fn := range table {
		scenarios[name] = fn
	}
}

// msOf is a loop time in whole milliseconds, rounded (Python's round).
func msOf(t float64) int64 { return int64(math.RoundToEven(t * 1000)) }
