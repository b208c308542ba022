using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// A map of a <see cref="BpfObject"/>, accessed with raw bytes through its kernel fd (<c>bpf_map_lookup_elem</c>,
/// <c>bpf_map_update_elem</c>, <c>bpf_map_delete_elem</c>, <c>bpf_map_get_next_key</c>). Its layout properties
/// are available as soon as the object is open; element access needs a loaded object. For typed access use
/// <see cref="BpfObject.GetHashMap{TKey, TValue}"/> or <see cref="BpfObject.GetArrayMap{T}"/>.
/// </summary>
public class BpfMap
{
    private readonly BpfObject _owner;
    private int _fd = -1;
    private int _valueBufferSize;

    internal BpfMap(BpfObject owner, nint native)
    {
        _owner = owner;
        Native = native;
        Name = LibBpf.MapName(native);
        ReadLayout();
    }

    /// <summary>The <c>struct bpf_map *</c>; rebound if the object is re-opened before a successful load.</summary>
    internal nint Native { get; set; }

    /// <summary>The map's name (the C variable name, or e.g. <c>counter.bss</c> for libbpf's internal maps).</summary>
    public string Name { get; }

    /// <summary>The object this map belongs to.</summary>
    public BpfObject Object => _owner;

    /// <summary>The kernel map type (<c>bpf_map__type</c>); values without a named member are still the kernel's numbers.</summary>
    public BpfMapType Type { get; private set; }

    /// <summary>Key size in bytes (<c>bpf_map__key_size</c>).</summary>
    public uint KeySize { get; private set; }

    /// <summary>Value size in bytes (<c>bpf_map__value_size</c>); per CPU for per-CPU maps.</summary>
    public uint ValueSize { get; private set; }

    /// <summary>Maximum number of elements (<c>bpf_map__max_entries</c>; final after load).</summary>
    public uint MaxEntries { get; private set; }

    /// <summary>The map's kernel fd (<c>bpf_map__fd</c>), owned by the object.</summary>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public int Fd
    {
        get
        {
            ThrowIfNotLoaded("get the fd of map '" + Name + "'");
            return _fd;
        }
    }

    /// <summary>
    /// The bytes a lookup writes and an update reads: <see cref="ValueSize"/>, or for per-CPU maps one slot of
    /// <see cref="ValueSize"/> rounded up to 8 bytes per possible CPU (<c>libbpf_num_possible_cpus</c>).
    /// </summary>
    public int ValueBufferSize => IsPerCpu ? _valueBufferSize : checked((int)ValueSize);

    /// <summary>True for per-CPU map types, whose values hold one slot per possible CPU.</summary>
    internal bool IsPerCpu => (int)Type is 5 /* PERCPU_HASH */ or 6 /* PERCPU_ARRAY */ or 10 /* LRU_PERCPU_HASH */ or 21 /* PERCPU_CGROUP_STORAGE */;

    /// <summary>Copies the value stored under <paramref name="key"/> into <paramref name="value"/>.</summary>
    /// <param name="key">Exactly <see cref="KeySize"/> bytes.</param>
    /// <param name="value">At least <see cref="ValueBufferSize"/> bytes.</param>
    /// <returns>False when the key is not in the map.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    /// <exception cref="BpfException">The kernel failed the lookup.</exception>
    public unsafe bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key.Length);
        if (value.Length < ValueBufferSize)
            throw new ArgumentException($"Map '{Name}' values take {ValueBufferSize} bytes but the value buffer has {value.Length}.", nameof(value));
        fixed (byte* k = key)
        fixed (byte* v = value)
            return LookupCore(k, v);
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> (<c>bpf_map_update_elem</c>).</summary>
    /// <param name="key">Exactly <see cref="KeySize"/> bytes.</param>
    /// <param name="value">Exactly <see cref="ValueBufferSize"/> bytes.</param>
    /// <param name="flags"><see cref="MapUpdateFlags.Any"/>, <see cref="MapUpdateFlags.NoExist"/> (create only) or <see cref="MapUpdateFlags.Exist"/> (replace only).</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    /// <exception cref="BpfException">The key exists / does not exist as <paramref name="flags"/> forbid, the map is full, or the kernel failed the update.</exception>
    public unsafe void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        CheckKey(key.Length);
        if (value.Length != ValueBufferSize)
            throw new ArgumentException($"Map '{Name}' values take {ValueBufferSize} bytes but the value has {value.Length}.", nameof(value));
        fixed (byte* k = key)
        fixed (byte* v = value)
            UpdateCore(k, v, flags);
    }

    /// <summary>Removes <paramref name="key"/> (<c>bpf_map_delete_elem</c>).</summary>
    /// <param name="key">Exactly <see cref="KeySize"/> bytes.</param>
    /// <returns>False when the key was not in the map.</returns>
    /// <exception cref="BpfException">The map type does not support deletion (arrays) or the kernel failed.</exception>
    public unsafe bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key.Length);
        fixed (byte* k = key)
            return DeleteCore(k);
    }

    /// <summary>
    /// The map's keys, read one <c>bpf_map_get_next_key</c> call at a time (see <see cref="BpfHashMap{TKey, TValue}"/>
    /// for the behaviour under concurrent changes).
    /// </summary>
    public IEnumerable<byte[]> Keys
    {
        get
        {
            ThrowIfNotLoaded($"enumerate map '{Name}'");
            return EnumerateKeys();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} map '{Name}' (key {KeySize} B, value {ValueSize} B, max {MaxEntries})";

    // ---- cores shared with the typed views -------------------------------------------------------------------

    internal void ThrowIfNotLoaded(string action) => _owner.ThrowIfNotLoaded(action);

    /// <summary>Refreshes what libbpf may have finalized during load (e.g. max_entries) and takes the fd.</summary>
    internal void OnLoaded()
    {
        ReadLayout();
        _fd = LibBpf.bpf_map__fd(Native);
    }

    /// <summary>Throws unless the C# types match the map's key and value sizes exactly.</summary>
    internal void ValidateLayout(Type view, Type keyType, int keySize, Type valueType, int valueSize)
    {
        if (keySize == KeySize && valueSize == ValueSize) return;
        throw new BpfException(
            $"Map '{Name}' has {KeySize}-byte keys and {ValueSize}-byte values, but {Pretty(view)} uses " +
            $"{Pretty(keyType)} ({keySize} bytes) and {Pretty(valueType)} ({valueSize} bytes): the C# types must have " +
            "exactly the map's key and value layout (mind field sizes and padding; use [StructLayout(LayoutKind.Sequential)] structs matching the C structs).");
    }

    internal unsafe bool LookupCore(void* key, void* value)
    {
        int result;
        using (_owner.LeaseLoaded($"look up map '{Name}'"))
            result = LibBpf.bpf_map_lookup_elem(_fd, key, value);
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        throw Failure("Looking up a key in", -result);
    }

    internal unsafe void UpdateCore(void* key, void* value, MapUpdateFlags flags)
    {
        int result;
        using (_owner.LeaseLoaded($"update map '{Name}'"))
            result = LibBpf.bpf_map_update_elem(_fd, key, value, (ulong)flags);
        if (result == 0) return;
        var errno = -result;
        throw errno switch
        {
            Errno.EEXIST => new BpfException($"Map '{Name}' already holds this key and MapUpdateFlags.NoExist forbids replacing it (EEXIST): use MapUpdateFlags.Any to overwrite.", errno),
            Errno.ENOENT when flags == MapUpdateFlags.Exist => new BpfException($"Map '{Name}' does not hold this key and MapUpdateFlags.Exist only replaces existing elements (ENOENT): use MapUpdateFlags.Any to insert.", errno),
            Errno.E2BIG => new BpfException($"Map '{Name}' is full (max_entries {MaxEntries}) (E2BIG): delete elements or raise max_entries in the map definition.", errno),
            _ => Failure("Updating", errno),
        };
    }

    internal unsafe bool DeleteCore(void* key)
    {
        int result;
        using (_owner.LeaseLoaded($"delete from map '{Name}'"))
            result = LibBpf.bpf_map_delete_elem(_fd, key);
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        if (result == -Errno.EINVAL && (int)Type is 2 or 6)
            throw new BpfException($"Elements of array map '{Name}' cannot be deleted (EINVAL): an array always holds max_entries elements; store a zero value instead.", Errno.EINVAL);
        throw Failure("Deleting a key from", -result);
    }

    /// <summary><c>bpf_map_get_next_key</c>: <paramref name="key"/> NULL gives the first key; false after the last.</summary>
    internal unsafe bool NextKeyCore(void* key, void* nextKey)
    {
        int result;
        using (_owner.LeaseLoaded($"enumerate map '{Name}'"))
            result = LibBpf.bpf_map_get_next_key(_fd, key, nextKey);
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        throw Failure("Enumerating", -result);
    }

    /// <summary>
    /// Bounds an enumeration: a hash map restarts from its first key when the current key was deleted, so a
    /// map changing fast could otherwise be walked forever (the same guard as cilium/ebpf's iterator).
    /// </summary>
    internal long MaxEnumerationSteps => 2L * MaxEntries + 2;

    internal BpfException EnumerationAborted() =>
        new($"Enumerating map '{Name}' was aborted after {MaxEnumerationSteps} keys: the map changed faster than it could be read " +
            "(keys deleted during enumeration make the kernel restart from the first key). Retry, or read it while it is quiescent.");

    private IEnumerable<byte[]> EnumerateKeys()
    {
        // One key ahead, as in BpfHashMap: the caller may delete the key it was just given.
        var current = new byte[checked((int)KeySize)];
        if (!NextKey(null, current)) yield break;
        for (long steps = 1; ; steps++)
        {
            var next = new byte[current.Length];
            var hasNext = NextKey(current, next);
            yield return (byte[])current.Clone();
            if (!hasNext) yield break;
            if (steps >= MaxEnumerationSteps) throw EnumerationAborted();
            current = next;
        }
    }

    private unsafe bool NextKey(byte[]? current, byte[] next)
    {
        fixed (byte* c = current)
        fixed (byte* n = next)
            return NextKeyCore(current is null ? null : c, n);
    }

    private void CheckKey(int length)
    {
        if (length != KeySize)
            throw new ArgumentException($"Map '{Name}' has {KeySize}-byte keys but the key has {length} bytes.", "key");
    }

    private BpfException Failure(string operation, int errno) =>
        errno is Errno.EPERM or Errno.EACCES
            ? new BpfPermissionException($"{operation} map '{Name}' was denied ({Errno.Name(errno)}): " +
                "a read-only map (.rodata, or a map created with BPF_F_RDONLY) cannot be written, and map access needs root or CAP_BPF.", errno)
            : new BpfException($"{operation} map '{Name}' failed ({Errno.Describe(errno)}).", errno);

    private void ReadLayout()
    {
        Type = (BpfMapType)LibBpf.bpf_map__type(Native);
        KeySize = LibBpf.bpf_map__key_size(Native);
        ValueSize = LibBpf.bpf_map__value_size(Native);
        MaxEntries = LibBpf.bpf_map__max_entries(Native);
        if (IsPerCpu)
        {
            // The kernel copies one 8-byte-aligned slot per *possible* CPU (not online CPUs).
            var cpus = LibBpf.libbpf_num_possible_cpus();
            if (cpus <= 0)
                throw new BpfException($"Cannot size the values of per-CPU map '{Name}': libbpf_num_possible_cpus failed ({Errno.Describe(-cpus)}); /sys/devices/system/cpu/possible must be readable.", -cpus);
            _valueBufferSize = checked((int)((ValueSize + 7) / 8 * 8) * cpus);
        }
    }

    private static string Pretty(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Pretty))}>"
            : type.Name;
}
