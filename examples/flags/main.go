// flags shows whether the user's own go build flags reached the binary:
// main.version is set with -ldflags '-X main.version=...', and the tag line
// comes from tag_on.go (built with -tags mytag) or tag_off.go (without).
// The number comes from inline C, so this is a cgo program.
package main

/*
static int answer(void) { return 6 * 7; }
*/
import "C"

import "fmt"

var version = "devel"

func main() {
	fmt.Println("version:", version)
	fmt.Println("tag:", tagLine)
	fmt.Println("cgo:", int(C.answer()))
}
