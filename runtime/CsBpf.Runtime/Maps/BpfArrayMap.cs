using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a loaded array map (<c>BPF_MAP_TYPE_ARRAY</c>): <see cref="Length"/> elements of the
/// unmanaged type <typeparamref name="T"/>, indexed from 0, read and written through the map's fd. Array
/// elements always exist (the kernel zero-fills them) and cannot be deleted. Get one from
/// <see cref="BpfObject.GetArrayMap{T}"/>.
/// </summary>
/// <typeparam name="T">The element type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfArrayMap<T> : IEnumerable<T>
    where T : unmanaged
{
    internal BpfArrayMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The number of elements (the map's max_entries).</summary>
    public int Length => checked((int)Map.MaxEntries);

    /// <summary>Reads or writes element <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Length"/>.</exception>
    public unsafe T this[uint index]
    {
        get
        {
            CheckIndex(index);
            T value = default;
            if (!Map.LookupCore(&index, &value))
                throw new BpfException($"Array map '{Name}' reported no element {index} (ENOENT), which an array should never do.", 2);
            return value;
        }
        set
        {
            CheckIndex(index);
            Map.UpdateCore(&index, &value, MapUpdateFlags.Any);
        }
    }

    /// <summary>Reads every element into a new array (one lookup per element).</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        for (var i = 0u; i < result.Length; i++) result[i] = this[i];
        return result;
    }

    /// <summary>Reads the elements in index order, one lookup each.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        Map.ThrowIfNotLoaded($"enumerate map '{Name}'");
        for (var i = 0u; i < (uint)Length; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"BpfArrayMap<{typeof(T).Name}> '{Name}' [{Length}]";

    private void CheckIndex(uint index)
    {
        if (index >= Map.MaxEntries)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Array map '{Name}' has {Map.MaxEntries} elements (indexes 0 to {Map.MaxEntries - 1}).");
    }
}
