using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>The errno values the runtime reacts to, and their names for messages.</summary>
internal static unsafe class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, E2BIG = 7, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
        EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOSPC = 28, ERANGE = 34, ENOSYS = 38,
        EOPNOTSUPP = 95, ENOTSUPP = 524;

    /// <summary>The symbolic name (<c>EACCES</c>) or the number when unknown.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        E2BIG => "E2BIG",
        EBADF => "EBADF",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENOSPC => "ENOSPC",
        ERANGE => "ERANGE",
        ENOSYS => "ENOSYS",
        EOPNOTSUPP => "EOPNOTSUPP",
        ENOTSUPP => "ENOTSUPP",
        4000 => "LIBBPF_ERRNO__LIBELF",
        4001 => "LIBBPF_ERRNO__FORMAT",
        4002 => "LIBBPF_ERRNO__KVERSION",
        4003 => "LIBBPF_ERRNO__ENDIAN",
        4004 => "LIBBPF_ERRNO__INTERNAL",
        4005 => "LIBBPF_ERRNO__RELOC",
        4006 => "LIBBPF_ERRNO__LOAD",
        4007 => "LIBBPF_ERRNO__VERIFY",
        4008 => "LIBBPF_ERRNO__PROG2BIG",
        4009 => "LIBBPF_ERRNO__KVER",
        4010 => "LIBBPF_ERRNO__PROGTYPE",
        _ => "errno " + errno,
    };

    /// <summary>"EACCES: Permission denied"; libbpf's own codes (4000+) are described by <c>libbpf_strerror</c>.</summary>
    public static string Describe(int errno)
    {
        if (errno >= 4000 && errno < 4100)
        {
            byte* buffer = stackalloc byte[256];
            if (LibBpf.libbpf_strerror(errno, buffer, 256) == 0)
                return $"{Name(errno)}: {Marshal.PtrToStringUTF8((nint)buffer)}";
        }
        if (errno == ENOTSUPP) return "ENOTSUPP: operation not supported by this kernel";
        return $"{Name(errno)}: {Marshal.GetPInvokeErrorMessage(errno)}";
    }
}
