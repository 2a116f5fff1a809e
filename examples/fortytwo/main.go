// fortytwo prints 42, computed by inline C: the smallest cgo program.
package main

/*
static int answer(void) { return 6 * 7; }
*/
import "C"

import "fmt"

func main() {
	fmt.Println(int(C.answer()))
}
