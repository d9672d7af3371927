package reseed

import (
	"os/exec"
	"syscall"
)

// ownGroup makes the fetcher the leader of a new process group, so that
// killGroup reaches the children it starts.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the fetcher's process group. The group's ID stays taken
// while any member lives, so after Wait it reaches only what the fetcher
// left behind, if anything.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
