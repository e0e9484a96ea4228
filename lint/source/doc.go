// Package source is the one place corsguard opens configuration files: the
// lint walker and the nginx, Apache and HCL front ends (entry files and
// their includes) all read through it. It classifies a path by type before
// opening it, so that a FIFO, a device, a socket or /dev/stdin named as a
// file or as an include target is refused instead of blocking forever; it
// opens without blocking and checks again that what it opened is the
// regular file it stat'ed; and it reads at most MaxFileSize bytes.
// Standard input is read only when asked for explicitly (ReadStdin).
// WithOverlay makes Read and Head return given contents for some paths:
// lint/fix lints fixed files again, before writing them, through it.
package source
