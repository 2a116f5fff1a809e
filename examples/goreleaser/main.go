// zdemo: a small cgo program released with goreleaser through gorelink
// (docs/goreleaser.md). On amd64 it links zlib (pkg-config), on other
// architectures only the C library and libm.
package main

// #include <stdlib.h>
import "C"

import "fmt"

// version is set by goreleaser's ldflags (-X main.version=...).
var version = "dev"

func main() {
	fmt.Printf("zdemo %s: %s, abs(-42)=%d\n", version, libInfo(), int(C.abs(-42)))
}
