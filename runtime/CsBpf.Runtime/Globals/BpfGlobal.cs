using System.Runtime.CompilerServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// One global variable of a <see cref="BpfObject"/> — a <c>static</c> field of the BPF class, in <c>.rodata</c>
/// (<c>static readonly</c>), <c>.data</c> or <c>.bss</c> — found by name in the object's BTF (its DATASEC gives
/// the variable's offset, whatever order the compiler laid the section out in). Get one from
/// <see cref="BpfObject.GetGlobal{T}"/>; the generated loader exposes each as a typed property.
/// </summary>
/// <remarks>
/// Before <see cref="BpfObject.Load"/> <see cref="Value"/> reads and writes libbpf's initial image of the
/// section (what the programs start with: that is how <c>.rodata</c> configuration is set, and the verifier then
/// treats it as a constant). After load it is the live variable in the section's memory-mapped map, shared with
/// the running programs without a system call; <c>.rodata</c> is frozen at load and can then only be read.
/// </remarks>
/// <typeparam name="T">The variable's type (exactly its size).</typeparam>
public sealed unsafe class BpfGlobal<T>
    where T : unmanaged
{
    private readonly BpfObject _owner;

    internal BpfGlobal(BpfObject owner, BpfMap map, string section, string name, uint offset)
    {
        _owner = owner;
        Map = map;
        Section = section;
        Name = name;
        Offset = offset;
    }

    /// <summary>The variable's name.</summary>
    public string Name { get; }

    /// <summary>Its section, e.g. <c>.rodata</c>.</summary>
    public string Section { get; }

    /// <summary>Its offset in the section.</summary>
    public uint Offset { get; }

    /// <summary>The section's map.</summary>
    public BpfMap Map { get; }

    /// <summary>True when <see cref="Value"/> cannot be set: after load, for a frozen (<c>.rodata</c>) section.</summary>
    public bool IsReadOnly => _owner.IsLoaded && !Map.GetMapping().IsWritable;

    /// <summary>
    /// The variable: the initial value before load, the live value after (plain memory accesses on the mapped
    /// section; a value the programs update concurrently may be read torn if it is bigger than 8 bytes).
    /// </summary>
    /// <exception cref="InvalidOperationException">Setting a <c>.rodata</c> variable after load.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public T Value
    {
        get
        {
            if (!_owner.IsLoaded) return Unsafe.ReadUnaligned<T>(InitialImage() + Offset);
            using var lease = _owner.LeaseLoaded($"read global '{Name}'");
            return Unsafe.ReadUnaligned<T>((byte*)Map.GetMapping().Pointer + Offset);
        }
        set
        {
            if (!_owner.IsLoaded)
            {
                Unsafe.WriteUnaligned(InitialImage() + Offset, value);
                return;
            }
            using var lease = _owner.LeaseLoaded($"write global '{Name}'");
            var mapping = Map.GetMapping();
            if (!mapping.IsWritable)
                throw new InvalidOperationException(
                    $"'{Name}' of BPF object '{_owner.Name}' is in {Section}, which the kernel froze at load (map '{Map.Name}'): " +
                    "set static readonly (.rodata) values before Load(), or make the field mutable (.data/.bss) to change it while the programs run.");
            Unsafe.WriteUnaligned((byte*)mapping.Pointer + Offset, value);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfGlobal<{typeof(T).Name}> '{Name}' ({Section}+{Offset})";

    private byte* InitialImage()
    {
        using var lease = _owner.LeaseOpen($"access global '{Name}'");
        nuint size;
        var image = (byte*)LibBpf.bpf_map__initial_value(Map.Native, &size);
        if (image is null)
            throw new BpfException($"libbpf has no initial image for section '{Section}' (map '{Map.Name}').");
        if (Offset + (nuint)sizeof(T) > size)
            throw new BpfException($"Global '{Name}' ({Offset}+{sizeof(T)}) lies outside section '{Section}' ({size} bytes).");
        return image;
    }
}
