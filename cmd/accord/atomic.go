package main

import (
	"errors"
	"io/fs"
)

// unwrapPath drops the operation and path of a *fs.PathError, for messages
// that already name the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
