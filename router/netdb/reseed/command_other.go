//go:build !linux

package reseed

import "os/exec"

// ownGroup does nothing outside Linux: only the fetcher itself is killed.
func ownGroup(*exec.Cmd) {}

// killGroup kills the fetcher, not its children.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
