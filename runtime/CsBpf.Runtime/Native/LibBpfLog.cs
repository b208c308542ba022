using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Receives libbpf's log (<c>libbpf_set_print</c>) and hands it to whoever is waiting for it on the current
/// thread. libbpf calls the print function synchronously on the thread that called into it, so a
/// thread-static capture keeps the messages of concurrent loads apart.
/// </summary>
internal static unsafe class LibBpfLog
{
    /// <summary><c>enum libbpf_print_level</c>.</summary>
    private const int LevelWarn = 0, LevelInfo = 1;

    [ThreadStatic] private static Capture? t_current;

    /// <summary>Starts collecting libbpf messages printed on this thread until the returned scope is disposed.</summary>
    public static Capture Begin()
    {
        var capture = new Capture(t_current);
        t_current = capture;
        return capture;
    }

    /// <summary>The libbpf print callback: <c>int (*)(enum libbpf_print_level, const char *, va_list)</c>.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static int Print(int level, byte* format, nint args)
    {
        // An exception escaping an UnmanagedCallersOnly method kills the process: swallow everything.
        try
        {
            if (level > LevelInfo) return 0; // debug chatter: one line per relocation, section, feature probe
            var message = Format(format, args);
            if (t_current is { } capture) capture.Append(message);
            else if (level == LevelWarn) Console.Error.Write(message); // what libbpf's default printer does
            return message.Length;
        }
        catch
        {
            return 0;
        }
    }

    /// <summary>
    /// Formats with <c>vsnprintf</c>. On x86-64 a <c>va_list</c> parameter arrives as a pointer to a 24-byte
    /// <c>__va_list_tag</c> (on arm64 as a pointer to a caller-made copy of the 32-byte <c>__va_list</c>), and
    /// <c>vsnprintf</c> consumes it; measuring first therefore needs a copy, which on these ABIs is what
    /// <c>va_copy</c> does: copy the struct bytes.
    /// </summary>
    private static string Format(byte* format, nint args)
    {
        const int StackSize = 512;
        var vaListSize = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 32,
            _ => 0,
        };
        byte* stackBuffer = stackalloc byte[StackSize];
        if (vaListSize == 0)
        {
            // Unknown va_list layout: format once, possibly truncated.
            var n = LibC.vsnprintf(stackBuffer, StackSize, format, args);
            return n <= 0 ? "" : Encoding.UTF8.GetString(stackBuffer, Math.Min(n, StackSize - 1));
        }
        byte* copy = stackalloc byte[vaListSize];
        Buffer.MemoryCopy((void*)args, copy, vaListSize, vaListSize);
        var length = LibC.vsnprintf(stackBuffer, StackSize, format, (nint)copy);
        if (length <= 0) return "";
        if (length < StackSize) return Encoding.UTF8.GetString(stackBuffer, length);
        // Long message (e.g. a verifier log libbpf echoes): format again, consuming the original va_list.
        var heap = (byte*)NativeMemory.Alloc((nuint)length + 1);
        try
        {
            var written = LibC.vsnprintf(heap, (nuint)length + 1, format, args);
            return written <= 0 ? "" : Encoding.UTF8.GetString(heap, Math.Min(written, length));
        }
        finally
        {
            NativeMemory.Free(heap);
        }
    }

    /// <summary>A thread's capture scope; nests by restoring the previous capture on dispose.</summary>
    public sealed class Capture : IDisposable
    {
        private readonly Capture? _previous;
        private readonly StringBuilder _text = new();
        private bool _disposed;

        internal Capture(Capture? previous) => _previous = previous;

        /// <summary>Everything libbpf printed (warnings and info) while the scope was active.</summary>
        public string Text => _text.ToString();

        internal void Append(string message) => _text.Append(message);

        /// <summary>Ends the scope (must be on the thread that began it).</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            t_current = _previous;
        }
    }
}
