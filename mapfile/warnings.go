package mapfile

// Warning is a legal but probably unintended part of a map file.
type Warning struct {
	// Path is the place, such as "mapping[0].paths[1]".
	Path string
	// Msg says what is probably wrong.
	Msg string
}

// String formats the warning as "PATH: MSG".
func (w Warning) String() string { return w.Path + ": " + w.Msg }

// Warnings returns the warnings about the map, in mapping order.
func (m *Map) Warnings() []Warning {
	return nil
}
