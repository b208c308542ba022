using System.Runtime.InteropServices;
using System.Text;

namespace CsBpf.Bench.Compiler;

/// <summary>One loaded program: its name and the verifier's work on it.</summary>
internal sealed record LoadedProgram(string Name, uint VerifiedInstructions, uint XlatedBytes);

/// <summary>The result of loading one object: its programs, or why the kernel (or libbpf) refused it.</summary>
internal sealed record LoadResult(IReadOnlyList<LoadedProgram> Programs, string? Failure)
{
    public bool Loaded => Failure is null;
    public long VerifiedInstructions => Programs.Sum(p => (long)p.VerifiedInstructions);
}

/// <summary>
/// Loads objects with <c>bpftool prog loadall</c> (pinning each program under a scratch directory of bpffs)
/// and reads <c>verified_insns</c> of each pinned program with BPF_OBJ_GET + BPF_OBJ_GET_INFO_BY_FD: the
/// bpftool of Debian 12 (v7.1) does not print that field yet. The pins are removed afterwards, which
/// unloads the programs.
/// </summary>
internal static unsafe class Verifier
{
    private const int BpfObjGet = 7;
    private const int BpfObjGetInfoByFd = 15;
    // struct bpf_prog_info (include/uapi/linux/bpf.h): xlated_prog_len at 20, name[16] at 64, verified_insns at 216.
    private const int InfoSize = 256;
    private const int XlatedLenOffset = 20;
    private const int NameOffset = 64;
    private const int VerifiedInsnsOffset = 216;

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long cmd, void* attr, long size);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    private static long SysBpf => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        var a => throw new PlatformNotSupportedException($"the bpf syscall number of {a} is not known here"),
    };

    public static LoadResult Load(string bpftool, string obj, string pinDirectory, string logPath)
    {
        if (!File.Exists(obj)) return new LoadResult([], $"{obj} does not exist");
        if (Directory.Exists(pinDirectory)) Directory.Delete(pinDirectory, recursive: true);
        try
        {
            ProcessResult r = Tools.Run(bpftool, ["prog", "loadall", obj, pinDirectory]);
            if (r.ExitCode != 0)
            {
                // Load again with libbpf's debug output, which carries the verifier log.
                if (Directory.Exists(pinDirectory)) Directory.Delete(pinDirectory, recursive: true);
                ProcessResult debug = Tools.Run(bpftool, ["-d", "prog", "loadall", obj, pinDirectory]);
                File.WriteAllText(logPath, debug.Combined);
                return new LoadResult([], Reason(debug.Combined) ?? r.Combined.Split('\n')[0]);
            }
            var programs = new List<LoadedProgram>();
            foreach (string pin in Directory.EnumerateFiles(pinDirectory).Order(StringComparer.Ordinal))
                programs.Add(Info(pin));
            return new LoadResult(programs, null);
        }
        finally
        {
            if (Directory.Exists(pinDirectory)) Directory.Delete(pinDirectory, recursive: true);
        }
    }

    /// <summary>The verifier's complaint: the line before "processed N insns" in the log.</summary>
    private static string? Reason(string log)
    {
        string[] lines = log.Split('\n').Select(l => l.TrimEnd()).ToArray();
        int processed = Array.FindIndex(lines, l => l.StartsWith("processed ", StringComparison.Ordinal));
        if (processed < 0) return lines.FirstOrDefault(l => l.Contains("libbpf: prog", StringComparison.Ordinal) && l.Contains("failed", StringComparison.Ordinal));
        for (int i = processed - 1; i >= 0; i--)
        {
            string l = lines[i];
            if (l.Length == 0 || l.StartsWith("verification time", StringComparison.Ordinal) || l.StartsWith("stack depth", StringComparison.Ordinal)) continue;
            return l;
        }
        return null;
    }

    private static LoadedProgram Info(string pinPath)
    {
        byte[] path = Encoding.UTF8.GetBytes(pinPath + "\0");
        byte* attr = stackalloc byte[128];
        byte* info = stackalloc byte[InfoSize];
        new Span<byte>(attr, 128).Clear();
        new Span<byte>(info, InfoSize).Clear();
        fixed (byte* p = path)
        {
            *(ulong*)attr = (ulong)p; // pathname
            int fd = (int)syscall(SysBpf, BpfObjGet, attr, 128);
            if (fd < 0) throw new IOException($"BPF_OBJ_GET {pinPath}: errno {Marshal.GetLastPInvokeError()}");
            try
            {
                new Span<byte>(attr, 128).Clear();
                *(uint*)attr = (uint)fd;               // info.bpf_fd
                *(uint*)(attr + 4) = InfoSize;         // info.info_len
                *(ulong*)(attr + 8) = (ulong)info;     // info.info
                if (syscall(SysBpf, BpfObjGetInfoByFd, attr, 128) < 0)
                    throw new IOException($"BPF_OBJ_GET_INFO_BY_FD {pinPath}: errno {Marshal.GetLastPInvokeError()}");
                uint length = *(uint*)(attr + 4);
                if (length < VerifiedInsnsOffset + 4) throw new IOException("the kernel's bpf_prog_info has no verified_insns (Linux 5.16+)");
                string name = Marshal.PtrToStringUTF8((nint)(info + NameOffset)) ?? "";
                return new LoadedProgram(name, *(uint*)(info + VerifiedInsnsOffset), *(uint*)(info + XlatedLenOffset));
            }
            finally { close(fd); }
        }
    }
}
