namespace CsBpf;

/// <summary>
/// Marks a <c>static readonly</c> map field of a <see cref="BpfProgramAttribute"/> class. It becomes a
/// BTF-defined map in the object's <c>.maps</c> section, named after the field.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class MapAttribute : Attribute
{
    /// <summary>Creation flags (<c>map_flags</c>), e.g. <see cref="MapFlags.NoPrealloc"/>. Flags a map type
    /// requires (<c>BPF_F_NO_PREALLOC</c> for LPM tries) are added by the compiler.</summary>
    public MapFlags Flags { get; set; }

    /// <summary>The NUMA node to allocate the map on (<c>numa_node</c>, with <c>BPF_F_NUMA_NODE</c>); -1, the
    /// default, lets the kernel choose.</summary>
    public int NumaNode { get; set; } = -1;

    /// <summary>Pinning (<c>pinning</c>): <see cref="MapPinning.ByName"/> shares the map through the BPF
    /// filesystem under its name.</summary>
    public MapPinning Pinning { get; set; }
}
