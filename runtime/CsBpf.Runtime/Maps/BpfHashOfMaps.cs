namespace CsBpf.Runtime;

/// <summary>
/// A view of a hash of maps (<c>BPF_MAP_TYPE_HASH_OF_MAPS</c>): <typeparamref name="TKey"/> keys mapped to maps shaped
/// like the outer map's inner template, which BPF code finds with <c>HashOfMaps.TryGetMap</c>. Create inner maps with
/// <see cref="BpfMap.Create"/>. Get one from <see cref="BpfObject.GetHashOfMaps{TKey}"/> or <see cref="BpfMap.AsHashOfMaps{TKey}"/>.
/// </summary>
/// <typeparam name="TKey">The key type, exactly the map's key_size bytes.</typeparam>
public sealed class BpfHashOfMaps<TKey> : IDisposable
    where TKey : unmanaged
{
    internal BpfHashOfMaps(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>Stores <paramref name="inner"/> under <paramref name="key"/>; the outer map holds a reference to it.</summary>
    /// <exception cref="BpfException">The inner map does not match the template (EINVAL), or the outer map is full.</exception>
    public unsafe void Set(TKey key, BpfMap inner, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        ArgumentNullException.ThrowIfNull(inner);
        using (inner.Lease("put in a map of maps"))
        {
            int fd = inner.RawFd;
            Map.UpdateCore(&key, &fd, flags);
        }
    }

    /// <summary>Removes the map stored under <paramref name="key"/>.</summary>
    /// <returns>False when the key was not in the map.</returns>
    public unsafe bool Remove(TKey key) => Map.DeleteCore(&key);

    /// <summary>The kernel id of the map stored under <paramref name="key"/>.</summary>
    /// <returns>False when the key is not in the map.</returns>
    public unsafe bool TryGetInnerMapId(TKey key, out uint mapId)
    {
        mapId = 0;
        fixed (uint* id = &mapId)
            return Map.LookupCore(&key, id);
    }

    /// <summary>Opens the map stored under <paramref name="key"/> (by id; dispose it), or returns null.</summary>
    public BpfMap? OpenInnerMap(TKey key) => TryGetInnerMapId(key, out var id) ? BpfMap.OpenById(id) : null;

    /// <summary>The keys (a live walk).</summary>
    public IEnumerable<TKey> Keys
    {
        get
        {
            Map.ThrowIfNotLoaded("enumerate");
            return Map.EnumerateKeys<TKey>();
        }
    }

    /// <summary>Does nothing for a map of a <see cref="BpfObject"/>; closes a map opened from a pin.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfHashOfMaps<{typeof(TKey).Name}> '{Name}'";
}
