//go:build mytag

package main

const tagLine = "mytag is set"
