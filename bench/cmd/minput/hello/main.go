// Command hello is the binary-size floor: a Go program that prints one line.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
