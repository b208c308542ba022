using System.Buffers;
using System.Runtime.CompilerServices;

namespace CsBpf.Runtime;

/// <summary>
/// Converts between <c>T</c> spans (one value per possible CPU) and the kernel's per-CPU value buffer, where CPU
/// <c>i</c>'s value starts at <c>i * round_up(value_size, 8)</c> (kernel <c>bpf_percpu_array_copy</c> /
/// <c>bpf_percpu_hash_copy</c> copy with that stride). When <c>sizeof(T)</c> is already a multiple of 8 the
/// layouts coincide and callers hand their own span to the kernel (<see cref="IsDirect{T}"/>).
/// </summary>
internal static unsafe class PerCpuValues
{
    /// <summary>True when a <c>T</c> span already has the kernel's layout.</summary>
    public static bool IsDirect<T>(BpfMap map)
        where T : unmanaged => map.ElementStride == (uint)sizeof(T);

    /// <summary>A pooled buffer of at least <see cref="BpfMap.ValueBufferSize"/> bytes (return it with <see cref="Return"/>).</summary>
    public static byte[] Rent(BpfMap map) => ArrayPool<byte>.Shared.Rent(map.ValueBufferSize);

    /// <summary>Returns a buffer from <see cref="Rent"/>.</summary>
    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

    /// <summary>Lays <paramref name="values"/> out in the kernel's per-CPU layout (padding zeroed).</summary>
    public static void Pack<T>(BpfMap map, ReadOnlySpan<T> values, Span<byte> buffer)
        where T : unmanaged
    {
        var stride = (int)map.ElementStride;
        buffer[..map.ValueBufferSize].Clear();
        for (var cpu = 0; cpu < values.Length; cpu++)
            Unsafe.WriteUnaligned(ref buffer[cpu * stride], values[cpu]);
    }

    /// <summary>Reads the kernel's per-CPU layout into <paramref name="values"/>.</summary>
    public static void Unpack<T>(BpfMap map, ReadOnlySpan<byte> buffer, Span<T> values)
        where T : unmanaged
    {
        var stride = (int)map.ElementStride;
        for (var cpu = 0; cpu < values.Length; cpu++)
            values[cpu] = Unsafe.ReadUnaligned<T>(in buffer[cpu * stride]);
    }

    /// <summary>Throws unless <paramref name="length"/> is the number of possible CPUs.</summary>
    public static void CheckLength(BpfMap map, int length, string parameter)
    {
        if (length != BpfMap.PossibleCpuCount)
            throw new ArgumentException(
                $"Per-CPU map '{map.Name}' holds one value per possible CPU ({BpfMap.PossibleCpuCount}, see BpfMap.PossibleCpuCount), but the span has {length}.", parameter);
    }

    /// <summary>Looks up <paramref name="key"/> into <paramref name="values"/> (one value per possible CPU).</summary>
    public static bool Lookup<T>(BpfMap map, void* key, Span<T> values)
        where T : unmanaged
    {
        CheckLength(map, values.Length, nameof(values));
        if (IsDirect<T>(map))
        {
            fixed (T* v = values) return map.LookupCore(key, v);
        }
        var buffer = Rent(map);
        try
        {
            fixed (byte* b = buffer)
                if (!map.LookupCore(key, b)) return false;
            Unpack(map, buffer, values);
            return true;
        }
        finally
        {
            Return(buffer);
        }
    }

    /// <summary>Stores <paramref name="values"/> (one value per possible CPU) under <paramref name="key"/>.</summary>
    public static void Update<T>(BpfMap map, void* key, ReadOnlySpan<T> values, MapUpdateFlags flags)
        where T : unmanaged
    {
        CheckLength(map, values.Length, nameof(values));
        if (IsDirect<T>(map))
        {
            fixed (T* v = values) map.UpdateCore(key, v, flags);
            return;
        }
        var buffer = Rent(map);
        try
        {
            Pack(map, values, buffer);
            fixed (byte* b = buffer) map.UpdateCore(key, b, flags);
        }
        finally
        {
            Return(buffer);
        }
    }
}
