using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>The few glibc functions the runtime needs (formatting libbpf's printf-style logs, uid, mount).</summary>
internal static unsafe partial class LibC
{
    // The real soname: "libc.so" is a linker script on glibc systems and cannot be dlopen'ed.
    private const string LibraryName = "libc.so.6";

    /// <summary><c>vsnprintf(3)</c>. <paramref name="args"/> is a <c>va_list</c> as it arrives in a callback.</summary>
    [LibraryImport(LibraryName, EntryPoint = "vsnprintf")]
    internal static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);

    [LibraryImport(LibraryName, EntryPoint = "geteuid")]
    internal static partial uint geteuid();

    /// <summary><c>mount(2)</c>; returns -1 and sets errno on failure.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mount(string source, string target, string fileSystemType, nuint flags, nint data);
}
