using System.Buffers;
using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A typed view of an array map (<c>BPF_MAP_TYPE_ARRAY</c>): <see cref="Length"/> elements of the unmanaged type
/// <typeparamref name="T"/>, indexed from 0. The indexer reads and writes through the map's fd; arrays created
/// with <c>BPF_F_MMAPABLE</c> can also be accessed in place, without system calls, through
/// <see cref="AsSpan"/>. Array elements always exist (the kernel zero-fills them) and cannot be deleted. Get one
/// from <see cref="BpfObject.GetArrayMap{T}"/>, <see cref="BpfMap.AsArrayMap{T}"/> or <see cref="OpenPinned"/>.
/// </summary>
/// <typeparam name="T">The element type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfArrayMap<T> : IEnumerable<T>, IDisposable
    where T : unmanaged
{
    internal BpfArrayMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The number of elements (the map's max_entries).</summary>
    public int Length => checked((int)Map.MaxEntries);

    /// <summary>True when the map was created with <c>BPF_F_MMAPABLE</c>, so <see cref="AsSpan"/> and <see cref="AsReadOnlySpan"/> work.</summary>
    public bool IsMmapable => Map.IsMmapable;

    /// <summary>Opens an array map pinned at <paramref name="path"/> (see <see cref="BpfMap.OpenPinned"/>); dispose the view to close it.</summary>
    /// <param name="path">The pin's path on a bpffs.</param>
    /// <exception cref="BpfException">The pinned object is not an array map with this value size.</exception>
    public static BpfArrayMap<T> OpenPinned(string path)
    {
        var map = BpfMap.OpenPinned(path);
        try
        {
            return map.AsArrayMap<T>();
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>Reads or writes element <paramref name="index"/> (one system call).</summary>
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

    /// <summary>
    /// The elements in place: a span over the map's memory (<c>mmap</c> of the map fd), shared live with the BPF
    /// programs, with no system call per access. Mapped on first use.
    /// </summary>
    /// <remarks>
    /// The span is valid until the owning <see cref="BpfObject"/> (or the pinned map) is disposed, which unmaps
    /// the memory: do not keep it beyond that. Reads and writes are plain memory accesses, as racy as the
    /// program's own: use <see cref="System.Threading.Interlocked"/> or <see cref="System.Threading.Volatile"/>
    /// through <see cref="System.Runtime.InteropServices.MemoryMarshal"/> where the program uses atomics.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The map was not created with <c>BPF_F_MMAPABLE</c>, is mapped read-only (frozen), or its value size is not a multiple of 8 (the kernel stores elements 8-byte aligned, so they are not contiguous <typeparamref name="T"/>s).</exception>
    public unsafe Span<T> AsSpan()
    {
        var mapping = MapMemory();
        if (!mapping.IsWritable)
            throw new InvalidOperationException($"Array map '{Name}' is frozen or read-only, so its memory is mapped read-only: use AsReadOnlySpan().");
        return new Span<T>(mapping.Pointer, Length);
    }

    /// <summary>The elements in place, read-only (works for frozen maps too); same lifetime rules as <see cref="AsSpan"/>.</summary>
    /// <exception cref="InvalidOperationException">The map was not created with <c>BPF_F_MMAPABLE</c> or its value size is not a multiple of 8.</exception>
    public unsafe ReadOnlySpan<T> AsReadOnlySpan() => new(MapMemory().Pointer, Length);

    /// <summary>
    /// Copies elements <paramref name="startIndex"/>.. into <paramref name="destination"/> with batch lookups
    /// (<c>BPF_MAP_LOOKUP_BATCH</c>: one system call for the lot).
    /// </summary>
    /// <param name="destination">Receives <c>min(destination.Length, Length - startIndex)</c> elements.</param>
    /// <param name="startIndex">The first index to read.</param>
    /// <returns>The number of elements copied.</returns>
    public unsafe int CopyTo(Span<T> destination, uint startIndex = 0)
    {
        if (startIndex > Map.MaxEntries) throw new ArgumentOutOfRangeException(nameof(startIndex), startIndex, $"Array map '{Name}' has {Map.MaxEntries} elements.");
        var wanted = (int)Math.Min((uint)destination.Length, Map.MaxEntries - startIndex);
        if (wanted == 0) return 0;
        var keys = ArrayPool<uint>.Shared.Rent(wanted);
        try
        {
            // The generic batch walk (kernel generic_map_lookup_batch) takes the key *before* the first one wanted.
            var cursor = startIndex == 0 ? default : default(BpfMapBatchCursor).Advance(startIndex - 1, complete: false);
            var copied = 0;
            fixed (uint* k = keys)
            fixed (T* v = destination)
            {
                while (copied < wanted && !cursor.IsComplete)
                    copied += Map.LookupBatchCore(ref cursor, k + copied, v + copied, wanted - copied, delete: false);
            }
            return copied;
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(keys);
        }
    }

    /// <summary>Writes <paramref name="values"/> to elements <paramref name="startIndex"/>.. in one system call (<c>BPF_MAP_UPDATE_BATCH</c>).</summary>
    /// <param name="values">The values.</param>
    /// <param name="startIndex">The index of <c>values[0]</c>.</param>
    /// <returns>The number of elements written.</returns>
    public unsafe int WriteBatch(ReadOnlySpan<T> values, uint startIndex = 0)
    {
        if ((ulong)startIndex + (uint)values.Length > Map.MaxEntries)
            throw new ArgumentOutOfRangeException(nameof(values), $"Array map '{Name}' has {Map.MaxEntries} elements; {values.Length} values from index {startIndex} do not fit.");
        var keys = ArrayPool<uint>.Shared.Rent(Math.Max(values.Length, 1));
        try
        {
            for (var i = 0; i < values.Length; i++) keys[i] = startIndex + (uint)i;
            fixed (uint* k = keys)
            fixed (T* v = values)
                return Map.UpdateBatchCore(k, v, values.Length);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(keys);
        }
    }

    /// <summary>Reads every element into a new array (batch lookups).</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        var copied = CopyTo(result);
        if (copied != result.Length)
            throw new BpfException($"Array map '{Name}' returned {copied} of its {result.Length} elements in a batch lookup.");
        return result;
    }

    /// <summary>Reads the elements in index order, one lookup each.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        Map.ThrowIfNotLoaded("enumerate");
        for (var i = 0u; i < (uint)Length; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes a map opened with <see cref="OpenPinned"/>; does nothing for a map of a <see cref="BpfObject"/> (the object owns it).</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfArrayMap<{typeof(T).Name}> '{Name}' [{Length}]";

    private unsafe Native.MemoryMapping MapMemory()
    {
        if (Map.IsMmapable && Map.ValueSize % 8 != 0)
            throw new InvalidOperationException(
                $"Array map '{Name}' has {Map.ValueSize}-byte values, which the kernel stores {Map.ElementStride} bytes apart: its memory is not a " +
                $"contiguous {typeof(T).Name}[]. Pad the value type to a multiple of 8 bytes to use AsSpan().");
        return Map.GetMapping();
    }

    private void CheckIndex(uint index)
    {
        if (index >= Map.MaxEntries)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Array map '{Name}' has {Map.MaxEntries} elements (indexes 0 to {Map.MaxEntries - 1}).");
    }
}
