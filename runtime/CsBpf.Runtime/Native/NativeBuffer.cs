using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>A block of native memory (<see cref="NativeMemory.Alloc(nuint)"/>) freed on release.</summary>
internal sealed unsafe class NativeBuffer : SafeHandle
{
    private NativeBuffer(nint memory, nuint length) : base(0, ownsHandle: true)
    {
        SetHandle(memory);
        Length = length;
    }

    public nuint Length { get; }

    public byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == 0;

    /// <summary>Allocates <paramref name="length"/> uninitialized bytes (at least one).</summary>
    public static NativeBuffer Allocate(nuint length) => new((nint)NativeMemory.Alloc(length == 0 ? 1 : length), length);

    /// <summary>Copies <paramref name="bytes"/> into a new native buffer.</summary>
    public static NativeBuffer CopyOf(ReadOnlySpan<byte> bytes)
    {
        var buffer = Allocate((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(buffer.Pointer, bytes.Length));
        return buffer;
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/>.</summary>
    public static NativeBuffer Utf8(string text)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(text);
        var buffer = Allocate((nuint)length + 1);
        var span = new Span<byte>(buffer.Pointer, length + 1);
        System.Text.Encoding.UTF8.GetBytes(text, span);
        span[length] = 0;
        return buffer;
    }

    /// <summary>The NUL-terminated UTF-8 text at the start of the buffer (or all of it when unterminated).</summary>
    public string ReadUtf8()
    {
        var span = new ReadOnlySpan<byte>(Pointer, checked((int)Length));
        var end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
