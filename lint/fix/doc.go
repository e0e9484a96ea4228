// Package fix applies the mechanical remedies the rules attach to findings
// (rules.Remedy): it asks each format's front end to spell a remedy as
// byte edits of the file (lint.Format.Spell), merges the edits per file
// (identical ones once; overlapping different ones: the first wins, the
// others are left with the reason), proves the result by linting the
// fixed contents again in the same run (every fixed finding gone, no new
// finding or error; a file whose proof fails is left alone), and then
// writes the files atomically or shows them as a unified diff.
package fix
