using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// A region mapped with <c>mmap(2)</c> from a BPF map fd; <c>munmap</c> on release. The mapping holds its own
/// reference to the map (the kernel's vma keeps the file, and with it the map, alive), so it stays valid even
/// after the map fd is closed: only releasing this handle ends it. Users lease it (<see cref="HandleLease"/>)
/// around every access so that a concurrent dispose cannot unmap memory that is being read.
/// </summary>
internal sealed unsafe class MemoryMapping : SafeHandle
{
    private MemoryMapping(void* address, nuint length, bool writable) : base(0, ownsHandle: true)
    {
        SetHandle((nint)address);
        Length = length;
        IsWritable = writable;
    }

    /// <summary>The start of the mapping.</summary>
    public byte* Pointer => (byte*)handle;

    /// <summary>Its length in bytes.</summary>
    public nuint Length { get; }

    /// <summary>True when mapped with <c>PROT_WRITE</c>.</summary>
    public bool IsWritable { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0 || handle == -1;

    /// <summary>Rounds <paramref name="length"/> up to a whole number of pages.</summary>
    public static nuint RoundUpToPages(ulong length)
    {
        var page = (ulong)Environment.SystemPageSize;
        return checked((nuint)((length + page - 1) / page * page));
    }

    /// <summary>
    /// <c>mmap(NULL, length, prot, MAP_SHARED, fd, offset)</c>. Returns the errno instead of throwing so callers
    /// can say which map and which part failed.
    /// </summary>
    public static MemoryMapping? TryMap(int fd, nuint length, bool writable, long offset, out int errno)
    {
        var protection = LibC.ProtRead | (writable ? LibC.ProtWrite : 0);
        var address = LibC.mmap(null, length, protection, LibC.MapShared, fd, offset);
        if (address == (void*)-1)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        errno = 0;
        return new MemoryMapping(address, length, writable);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => LibC.munmap((void*)handle, Length) == 0;
}
