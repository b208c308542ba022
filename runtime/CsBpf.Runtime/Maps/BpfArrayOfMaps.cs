namespace CsBpf.Runtime;

/// <summary>
/// A view of an array of maps (<c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>): slots the host fills with maps shaped like the
/// outer map's inner template (same type, key and value sizes, flags), which BPF code finds with
/// <c>ArrayOfMaps.TryGetMap</c>. Create inner maps with <see cref="BpfMap.Create"/>. Get one from
/// <see cref="BpfObject.GetArrayOfMaps"/> or <see cref="BpfMap.AsArrayOfMaps"/>.
/// </summary>
public sealed class BpfArrayOfMaps : IDisposable
{
    internal BpfArrayOfMaps(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The number of slots.</summary>
    public int Length => checked((int)Map.MaxEntries);

    /// <summary>Puts <paramref name="inner"/> in slot <paramref name="index"/> (<c>bpf_map_update_elem</c> with its fd). The
    /// outer map holds a reference: the inner map lives on while it is in a slot, even after <paramref name="inner"/> is disposed.</summary>
    /// <exception cref="BpfException">The inner map does not match the template (EINVAL).</exception>
    public unsafe void Set(uint index, BpfMap inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        CheckIndex(index);
        using (inner.Lease("put in a map of maps"))
        {
            int fd = inner.RawFd;
            Map.UpdateCore(&index, &fd, MapUpdateFlags.Any);
        }
    }

    /// <summary>Empties slot <paramref name="index"/>.</summary>
    /// <returns>False when the slot was already empty.</returns>
    public unsafe bool Clear(uint index)
    {
        CheckIndex(index);
        return Map.DeleteCore(&index);
    }

    /// <summary>The kernel id of the map in slot <paramref name="index"/> (what a lookup returns; compare with <see cref="BpfMap.Id"/>).</summary>
    /// <returns>False when the slot is empty.</returns>
    public unsafe bool TryGetInnerMapId(uint index, out uint mapId)
    {
        CheckIndex(index);
        mapId = 0;
        fixed (uint* id = &mapId)
            return Map.LookupCore(&index, id);
    }

    /// <summary>Opens the map in slot <paramref name="index"/> (by id; dispose it), or returns null when the slot is empty.</summary>
    public BpfMap? OpenInnerMap(uint index) => TryGetInnerMapId(index, out var id) ? BpfMap.OpenById(id) : null;

    /// <summary>Does nothing for a map of a <see cref="BpfObject"/>; closes a map opened from a pin.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfArrayOfMaps '{Name}' ({Length} slots)";

    private void CheckIndex(uint index)
    {
        if (index >= (uint)Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Array of maps '{Name}' has {Length} slots.");
    }
}
