using System.Reflection;
using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

/// <summary>
/// Locates and checks libLLVM for the compiler: the exact soname of Debian's libllvm19
/// (<c>libLLVM.so.19.1</c>), or the path in <c>CSBPF_LIBLLVM</c>. The library must be LLVM 19 with the BPF
/// target. Failures throw <see cref="LlvmNotFoundException"/> naming the package to install.
/// </summary>
public static unsafe class LlvmLibrary
{
    /// <summary>The environment variable that overrides the library path.</summary>
    public const string OverrideVariable = "CSBPF_LIBLLVM";

    /// <summary>The LLVM major version the binding is written against.</summary>
    public const int RequiredMajorVersion = 19;

    private static readonly object s_gate = new();
    private static nint s_handle;
    private static string? s_failure;

    /// <summary>Loads libLLVM (once), checks its version and registers the BPF target.</summary>
    /// <exception cref="LlvmNotFoundException">The library is missing, unloadable or the wrong version.</exception>
    public static void EnsureLoaded()
    {
        lock (s_gate)
        {
            if (s_handle != 0) return;
            if (s_failure is not null) throw new LlvmNotFoundException(s_failure);
            try
            {
                s_handle = Load();
                NativeLibrary.SetDllImportResolver(typeof(LlvmLibrary).Assembly, Resolve);
                LibLlvm.GetVersion(out uint major, out uint minor, out uint patch);
                if (major != RequiredMajorVersion)
                    throw new LlvmNotFoundException($"libLLVM {major}.{minor}.{patch} was loaded but CsBpf needs LLVM {RequiredMajorVersion}: install Debian package libllvm19 (apt-get install libllvm19) or point {OverrideVariable} at libLLVM.so.19.1");
                LibLlvm.InitializeBPFTargetInfo();
                LibLlvm.InitializeBPFTarget();
                LibLlvm.InitializeBPFTargetMC();
                LibLlvm.InitializeBPFAsmPrinter();
                // LLVM's default fatal-error handler prints a bare message and exits; say who failed and in
                // the build's canonical error format, so MSBuild shows it as an error instead of a silent exit.
                LibLlvm.InstallFatalErrorHandler(&OnFatalError);
                CompilerTimings.Mark("libLLVM load");
            }
            catch (LlvmNotFoundException e)
            {
                s_handle = 0;
                s_failure = e.Message;
                throw;
            }
        }
    }

    /// <summary>The file the library was loaded from, as requested (override path or soname).</summary>
    public static string RequestedPath =>
        Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } path ? path : LibLlvm.Name;

    private static nint Load()
    {
        string path = RequestedPath;
        if (NativeLibrary.TryLoad(path, out nint handle)) return handle;
        throw new LlvmNotFoundException(path == LibLlvm.Name
            ? $"libLLVM 19 ({LibLlvm.Name}) was not found: install Debian package libllvm19 (apt-get install libllvm19), or set {OverrideVariable} to the path of an LLVM 19 shared library"
            : $"{OverrideVariable} points at '{path}', which could not be loaded as a shared library: fix the path or unset it to use {LibLlvm.Name} from Debian package libllvm19");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibLlvm.Name ? s_handle : 0;

    [UnmanagedCallersOnly]
    private static void OnFatalError(byte* reason)
    {
        string text = Marshal.PtrToStringUTF8((nint)reason) ?? "unknown";
        Console.Out.WriteLine($"csbpfc: error CSBPF2001: LLVM fatal error (internal compiler error): {text}");
        Console.Out.Flush();
    }
}
