using System.Reflection;
using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Finds libbpf for this assembly: the path in <c>CSBPF_LIBBPF</c> when set, otherwise the soname
/// <c>libbpf.so.1</c> through the dynamic loader's search path. This is the assembly's only
/// <see cref="NativeLibrary.SetDllImportResolver"/> registration.
/// </summary>
internal static class LibBpfResolver
{
    /// <summary>Environment variable naming the libbpf shared object to use instead of <c>libbpf.so.1</c>.</summary>
    public const string OverrideVariable = "CSBPF_LIBBPF";

    private const string NotFoundMessage =
        "libbpf 1.x (libbpf.so.1) was not found: install Debian package libbpf1 (apt-get install libbpf1) or set CSBPF_LIBBPF to its path";

    private static readonly object s_gate = new();
    private static nint s_handle;
    private static int s_registered;

    /// <summary>Registers <see cref="Resolve"/> once; called from <see cref="LibBpf"/>'s static constructor.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(LibBpfResolver).Assembly, Resolve);
    }

    /// <summary>Where libbpf is loaded from, for messages.</summary>
    public static string Describe() =>
        Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } path ? $"'{path}' (CSBPF_LIBBPF)" : LibBpf.LibraryName;

    /// <summary>Loads libbpf once per process (honouring <c>CSBPF_LIBBPF</c>) and returns its handle.</summary>
    public static nint LoadLibrary()
    {
        lock (s_gate)
        {
            if (s_handle == 0)
                s_handle = Load(Environment.GetEnvironmentVariable(OverrideVariable));
            return s_handle;
        }
    }

    /// <summary>
    /// Loads libbpf from <paramref name="overridePath"/> (when non-empty) or by soname, throwing
    /// <see cref="BpfNativeLibraryException"/> instead of the runtime's <see cref="DllNotFoundException"/>.
    /// Does not cache: tests call it directly without affecting the process-wide binding.
    /// </summary>
    internal static nint Load(string? overridePath)
    {
        var target = string.IsNullOrEmpty(overridePath) ? LibBpf.LibraryName : overridePath;
        try
        {
            return NativeLibrary.Load(target);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The runtime's message ends with dlerror()'s line ("...: cannot open shared object file: ..."); the
            // lines before it are generic advice.
            var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.Message;
            var detail = string.IsNullOrEmpty(overridePath)
                ? $" (the dynamic loader could not open {target}: {reason})"
                : $" (CSBPF_LIBBPF is set to '{overridePath}', which could not be loaded: {reason})";
            throw new BpfNativeLibraryException(NotFoundMessage + detail, e);
        }
    }

    /// <summary>Rejects a libbpf whose major version is not 1 (CsBpf relies on 1.x error conventions and API).</summary>
    internal static void ValidateVersion(uint major, uint minor, string source)
    {
        if (major != LibBpf.RequiredMajorVersion)
            throw new BpfNativeLibraryException(
                $"The libbpf loaded from {source} is version {major}.{minor}, but CsBpf needs libbpf 1.x: " +
                "install Debian package libbpf1 (apt-get install libbpf1) or set CSBPF_LIBBPF to the path of a libbpf.so.1");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        // Other libraries (libc.so.6) use the default probing.
        libraryName == LibBpf.LibraryName ? LoadLibrary() : 0;
}
