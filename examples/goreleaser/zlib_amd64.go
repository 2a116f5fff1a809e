//go:build amd64

package main

// #cgo pkg-config: zlib
// #include <zlib.h>
import "C"

// libInfo names the zlib the program was linked with.
func libInfo() string { return "zlib " + C.GoString(C.zlibVersion()) }
