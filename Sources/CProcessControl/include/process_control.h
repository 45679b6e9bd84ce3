// Process control that Swift cannot call directly: `prctl` is a C variadic function, which Swift does not import.
#pragma once

/// Has the kernel send `signal` to this process when its parent exits, however it exits (Linux's
/// `prctl(PR_SET_PDEATHSIG)`). Returns 0 on success, -1 with `errno` set on failure or where Linux's call is missing.
int tapegrad_set_parent_death_signal(int signal);
