package torture

// Layout is the size of a padded type and the offsets of its fields, as a
// package's export_test.go reports them to its layout tests.
type Layout struct {
	Size    uintptr
	Offsets map[string]uintptr
}
