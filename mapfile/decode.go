package mapfile

import "github.com/gobwas/glob"

// parser holds the state of one Parse.
type parser struct {
	file string
	data []byte
	errs []*Error
}

// parse parses p.data, recording defects in p.errs.
func (p *parser) parse() *Map {
	p.errs = append(p.errs, &Error{File: p.file, Msg: "not implemented yet"})
	return nil
}

// errors returns the recorded defects as an *Errors.
func (p *parser) errors() *Errors { return &Errors{List: p.errs} }

// compilePattern compiles a pattern with "/" as the separator.
func compilePattern(pattern string) (glob.Glob, error) {
	return glob.Compile(pattern, '/')
}
