using System.Runtime.InteropServices;
using System.Text;
using CsBpf;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// Asks the running kernel whether a program type offers a helper: loads (BPF_PROG_LOAD, raw syscall) the
/// smallest program that calls it — <c>r1..r5 = 0; call id; r0 = 0; exit</c> — and reads the verifier log.
/// The verifier looks the helper up in the type's <c>get_func_proto</c> before it checks any argument, so
/// "program of this type cannot use helper" (older kernels: "unknown func") means unavailable and any other
/// outcome means available; with a non-GPL license, "cannot call GPL-restricted function" means GPL-only.
/// </summary>
internal static unsafe class KernelHelperProbe
{
    /// <summary>The program types this probe can load here, with the expected attach types to try (a helper is
    /// available to the type when one of them accepts it) and load flags.</summary>
    public static readonly (BpfProgramTypes Type, int Number, int[] AttachTypes, uint Flags)[] ProgramTypes =
    [
        (BpfProgramTypes.SocketFilter, 1, [0], 0),
        (BpfProgramTypes.Kprobe, 2, [0], 0),
        (BpfProgramTypes.SchedCls, 3, [0], 0),
        (BpfProgramTypes.SchedAct, 4, [0], 0),
        (BpfProgramTypes.Tracepoint, 5, [0], 0),
        (BpfProgramTypes.Xdp, 6, [0], 0),
        (BpfProgramTypes.PerfEvent, 7, [0], 0),
        (BpfProgramTypes.CgroupSkb, 8, [0, 1], 0),
        (BpfProgramTypes.CgroupSock, 9, [2, 12, 34], 0),
        (BpfProgramTypes.SockOps, 13, [0], 0),
        (BpfProgramTypes.SkSkb, 14, [0], 0),
        (BpfProgramTypes.CgroupDevice, 15, [0], 0),
        (BpfProgramTypes.SkMsg, 16, [0], 0),
        (BpfProgramTypes.RawTracepoint, 17, [0], 0),
        (BpfProgramTypes.CgroupSockAddr, 18, [10, 8, 14, 19, 29], 0),
        (BpfProgramTypes.CgroupSysctl, 23, [18], 0),
        (BpfProgramTypes.RawTracepointWritable, 24, [0], 0),
        (BpfProgramTypes.CgroupSockopt, 25, [21, 22], 0),
        (BpfProgramTypes.SkLookup, 30, [36], 0),
        (BpfProgramTypes.Syscall, 31, [0], 1u << 4 /* BPF_F_SLEEPABLE, as libbpf loads SEC("syscall") */),
        (BpfProgramTypes.Netfilter, 32, [45], 0),
    ];

    /// <summary>The outcome of loading one probe program.</summary>
    public readonly record struct Outcome(bool Loaded, int Errno, string Log)
    {
        public bool HelperUnavailable => Log.Contains("cannot use helper") || Log.Contains("unknown func");
        public bool GplRefused => Log.Contains("cannot call GPL-restricted function");
    }

    /// <summary>Loads <c>call helperId</c> (or, with -1, just <c>r0 = 0; exit</c>) as the given program type.</summary>
    public static Outcome Load(int programType, int attachType, uint flags, int helperId, string license)
    {
        var insns = new List<ulong>();
        if (helperId >= 0)
        {
            for (int reg = 1; reg <= 5; reg++) insns.Add(Insn(0xb7, reg, 0, 0)); // mov64 rN, 0
            insns.Add(Insn(0x85, 0, 0, helperId));                                 // call helperId
        }
        insns.Add(Insn(0xb7, 0, 0, 0));                                            // mov64 r0, 0
        insns.Add(Insn(0x95, 0, 0, 0));                                            // exit
        ulong[] code = [.. insns];
        byte[] licenseBytes = Encoding.ASCII.GetBytes(license + "\0");
        byte[] log = new byte[64 * 1024];
        byte* attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        fixed (ulong* insnPtr = code)
        fixed (byte* licensePtr = licenseBytes)
        fixed (byte* logPtr = log)
        {
            *(uint*)(attr + 0) = (uint)programType;
            *(uint*)(attr + 4) = (uint)code.Length;
            *(ulong*)(attr + 8) = (ulong)insnPtr;
            *(ulong*)(attr + 16) = (ulong)licensePtr;
            *(uint*)(attr + 24) = 1;                   // log_level
            *(uint*)(attr + 28) = (uint)log.Length;    // log_size
            *(ulong*)(attr + 32) = (ulong)logPtr;
            *(uint*)(attr + 44) = flags;               // prog_flags
            *(uint*)(attr + 68) = (uint)attachType;    // expected_attach_type
            long fd = syscall(321 /* __NR_bpf */, 5 /* BPF_PROG_LOAD */, (nint)attr, 128);
            int errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (fd >= 0) close((int)fd);
            int end = Array.IndexOf(log, (byte)0);
            return new Outcome(fd >= 0, errno, Encoding.ASCII.GetString(log, 0, end < 0 ? log.Length : end));
        }
    }

    /// <summary>Loads <paramref name="code"/> as a GPL program of <paramref name="programType"/>; returns its fd.</summary>
    public static int LoadProgram(int programType, ulong[] code)
    {
        byte[] license = Encoding.ASCII.GetBytes("GPL\0");
        byte* attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        fixed (ulong* insns = code)
        fixed (byte* l = license)
        {
            *(uint*)(attr + 0) = (uint)programType;
            *(uint*)(attr + 4) = (uint)code.Length;
            *(ulong*)(attr + 8) = (ulong)insns;
            *(ulong*)(attr + 16) = (ulong)l;
            long fd = syscall(321, 5 /* BPF_PROG_LOAD */, (nint)attr, 128);
            Assert.True(fd >= 0, $"BPF_PROG_LOAD failed: errno {Marshal.GetLastPInvokeError()}");
            return (int)fd;
        }
    }

    /// <summary>Runs an XDP program once on a zeroed 64-byte packet (BPF_PROG_TEST_RUN); returns r0.</summary>
    public static uint TestRunXdp(int fd)
    {
        byte* packet = stackalloc byte[64];
        new Span<byte>(packet, 64).Clear();
        byte* attr = stackalloc byte[80];
        new Span<byte>(attr, 80).Clear();
        *(uint*)(attr + 0) = (uint)fd;
        *(uint*)(attr + 8) = 64;            // data_size_in
        *(ulong*)(attr + 16) = (ulong)packet;
        *(uint*)(attr + 32) = 1;            // repeat
        long r = syscall(321, 10 /* BPF_PROG_TEST_RUN */, (nint)attr, 80);
        Assert.True(r == 0, $"BPF_PROG_TEST_RUN failed: errno {Marshal.GetLastPInvokeError()}");
        return *(uint*)(attr + 4);          // retval
    }

    private static ulong Insn(byte code, int dst, int src, int imm) =>
        code | ((ulong)(byte)(dst | (src << 4)) << 8) | ((ulong)(uint)imm << 32);

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long a1, nint a2, long a3);

    [DllImport("libc")]
    private static extern int close(int fd);
}
