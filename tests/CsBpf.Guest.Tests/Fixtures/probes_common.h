// Shared by the C fixtures: the map layouts the guest tests read, identical to the C# programs' (Programs/*.cs).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// One slot: the thread id (pid_tgid's low 32 bits) whose calls the programs record. Other threads of the
// test process (the runtime's own) and other processes are ignored, so the counts are exact.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} Target SEC(".maps");

static __always_inline int is_target(void)
{
    __u32 zero = 0;
    __u64 *tid = bpf_map_lookup_elem(&Target, &zero);
    return tid && *tid != 0 && *tid == (__u32)bpf_get_current_pid_tgid();
}

// What the open probes record for the target thread's last do_sys_openat2 call (OpenEvent in C#).
struct open_event {
    __u64 entries;        // entry probe runs
    __s64 dfd;            // argument 1 seen at entry
    __u64 filename;       // argument 2 (user pointer) seen at entry
    __u64 returns;        // return probe runs
    __s64 ret;            // the return value
    __s64 exit_dfd;       // argument 1 seen by fexit (kretprobes cannot see arguments)
    __u64 exit_filename;  // argument 2 seen by fexit
};
