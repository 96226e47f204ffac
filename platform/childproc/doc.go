// Package childproc supervises a long-running child process, such as a
// database or a dev server that this process starts and owns.
//
// It owns one mechanism: start the command so the kernel kills it if this
// process dies and the terminal's Ctrl-C does not reach it (Pdeathsig and
// its own process group, Linux only), wait for it in the background, tell
// a stop asked for by Stop from a crash, and stop it in order: a signal, a
// grace period, then SIGKILL. Around it, what every such child needs:
// finding its binary (FindBinary), free ports to give it (FreePorts), its
// output passed on line by line with the last lines kept for errors
// (Options.Output), and waiting until it answers (Process.WaitReady).
package childproc
