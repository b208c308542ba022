using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Typed host access to a global-data section of a <see cref="BpfObject"/> — <c>.rodata</c> (C
/// <c>const volatile</c> globals), <c>.data</c> (initialized globals) or <c>.bss</c> (zero-initialized
/// globals), or a custom <c>.data.*</c>/<c>.rodata.*</c> section — viewed as one <typeparamref name="T"/> that
/// mirrors the section's layout. Get one from <see cref="BpfObject.GetGlobals{T}"/>.
/// </summary>
/// <remarks>
/// <para>Before <see cref="BpfObject.Load"/>, <see cref="Value"/> is libbpf's initial image of the section
/// (<c>bpf_map__initial_value</c>): what you write there is what the programs start with. That is how
/// <c>.rodata</c> is configured: the verifier then sees the values as constants and prunes dead branches.</para>
/// <para>After load, <see cref="Value"/> is the live map, mapped into this process (libbpf creates these maps
/// <c>BPF_F_MMAPABLE</c>): reads and writes are plain memory accesses shared with the running programs, no
/// system call. <c>.rodata</c> is frozen at load (<c>BPF_MAP_FREEZE</c>), so afterwards it can only be read:
/// use <see cref="ReadOnlyValue"/>.</para>
/// <para>References returned by <see cref="Value"/> and <see cref="ReadOnlyValue"/> point into native memory
/// that the object releases when it is loaded (the initial image stops mattering) or disposed (the mapping is
/// unmapped): do not keep them across those points.</para>
/// </remarks>
/// <typeparam name="T">A struct with the section's layout (same size; fields at the variables' offsets).</typeparam>
public sealed unsafe class BpfGlobals<T>
    where T : unmanaged
{
    private readonly BpfObject _owner;

    internal BpfGlobals(BpfObject owner, BpfMap map, string section)
    {
        _owner = owner;
        Map = map;
        Section = section;
    }

    /// <summary>The section's map (an array of one element; e.g. <c>counter.rodata</c>).</summary>
    public BpfMap Map { get; }

    /// <summary>The section name, e.g. <c>.rodata</c>.</summary>
    public string Section { get; }

    /// <summary>True when <see cref="Value"/> cannot be written: after load for a frozen (<c>.rodata</c>) section.</summary>
    public bool IsReadOnly => _owner.IsLoaded && !Map.GetMapping().IsWritable;

    /// <summary>The section's variables, writable: the initial image before load, the live map after.</summary>
    /// <exception cref="InvalidOperationException">After load, for a frozen section (use <see cref="ReadOnlyValue"/>).</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public ref T Value
    {
        get
        {
            if (!_owner.IsLoaded) return ref *(T*)InitialImage();
            var mapping = Map.GetMapping();
            if (!mapping.IsWritable)
                throw new InvalidOperationException(
                    $"Section '{Section}' of BPF object '{_owner.Name}' is read-only now: the kernel froze map '{Map.Name}' at load " +
                    "(.rodata is constant for the verifier). Set its values before Load(), read them with ReadOnlyValue, and keep values " +
                    "that change at run time in .data or .bss.");
            return ref *(T*)mapping.Pointer;
        }
    }

    /// <summary>The section's variables, read-only (works for frozen sections too).</summary>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public ref readonly T ReadOnlyValue
    {
        get
        {
            if (!_owner.IsLoaded) return ref *(T*)InitialImage();
            return ref *(T*)Map.GetMapping().Pointer;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfGlobals<{typeof(T).Name}> '{Section}' ({Map.Name})";

    private void* InitialImage()
    {
        using var lease = _owner.LeaseOpen($"access section '{Section}'");
        nuint size;
        var image = LibBpf.bpf_map__initial_value(Map.Native, &size);
        if (image is null)
            throw new BpfException($"libbpf has no initial image for section '{Section}' (map '{Map.Name}').");
        if (size < (nuint)sizeof(T))
            throw new BpfException($"Section '{Section}' has {size} bytes but {typeof(T).Name} has {sizeof(T)}.");
        return image;
    }
}
