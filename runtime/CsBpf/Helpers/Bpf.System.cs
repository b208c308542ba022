using System.Runtime.InteropServices;

namespace CsBpf;

// CPU, NUMA node and random numbers.
public static partial class Bpf
{
    /// <summary><c>bpf_get_numa_node_id</c> (helper 42, Linux 4.10): the NUMA node of the CPU the program runs on.</summary>
    [BpfHelper(42)]
    public static unsafe int GetNumaNodeId()
    {
        uint cpu, node;
        return getcpu(&cpu, &node, null) == 0 ? (int)node : 0;
    }

    /// <summary>
    /// <c>bpf_get_prandom_u32</c> (helper 7, Linux 4.1): a pseudo-random 32-bit number (the kernel's per-CPU
    /// <c>prandom</c> state; not for cryptography).
    /// </summary>
    [BpfHelper(7)]
    public static uint GetPrandomU32() => (uint)Random.Shared.NextInt64(0, 1L << 32);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int getcpu(uint* cpu, uint* node, void* unused);
}
