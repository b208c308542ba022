using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Typed views of the map kinds beyond hash and array, map creation (inner maps for maps of maps), ids, and
// libbpf's pin path.
public partial class BpfMap
{
    /// <summary>The kernel's id of this map (<c>BPF_OBJ_GET_INFO_BY_FD</c>): what a lookup in a map of maps returns for it.</summary>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe uint Id
    {
        get
        {
            BpfMapInfo info = default;
            var length = (uint)sizeof(BpfMapInfo);
            int result;
            using (Lease("read the id of"))
                result = LibBpf.bpf_obj_get_info_by_fd(_fd, &info, &length);
            if (result < 0) throw Failure("Reading the description of", -result);
            return info.Id;
        }
    }

    /// <summary>
    /// Creates a map in the kernel (<c>BPF_MAP_CREATE</c>) that belongs to no object, e.g. an inner map to put in
    /// a map of maps (<see cref="BpfArrayOfMaps.Set"/>): it must have the type, key and value sizes (and flags) of
    /// the outer map's inner template. The returned map owns its fd: dispose it (a map of maps holding it keeps the
    /// map alive).
    /// </summary>
    /// <param name="type">The map type.</param>
    /// <param name="keySize">Key size in bytes (0 for queue, stack and ring buffer maps).</param>
    /// <param name="valueSize">Value size in bytes (0 for ring buffers).</param>
    /// <param name="maxEntries">Capacity (bytes for a ring buffer).</param>
    /// <param name="flags">Creation flags (<c>map_flags</c>).</param>
    /// <param name="name">The kernel name (at most 15 characters are kept), or null.</param>
    /// <exception cref="BpfException">The kernel refused the parameters.</exception>
    /// <exception cref="BpfPermissionException">The process lacks CAP_BPF.</exception>
    public static unsafe BpfMap Create(BpfMapType type, int keySize, int valueSize, int maxEntries, MapFlags flags = MapFlags.None, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keySize);
        ArgumentOutOfRangeException.ThrowIfNegative(valueSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        LibBpf.EnsureInitialized();
        var opts = new BpfMapCreateOpts { Size = (nuint)sizeof(BpfMapCreateOpts), MapFlags = (uint)flags };
        if (name is { Length: > 15 }) name = name[..15];
        var fd = LibBpf.bpf_map_create((int)type, name, (uint)keySize, (uint)valueSize, (uint)maxEntries, &opts);
        if (fd < 0)
        {
            var errno = -fd;
            throw errno is Errno.EPERM or Errno.EACCES
                ? new BpfPermissionException($"Creating a {DescribeType(type)} map was denied ({Errno.Name(errno)}): it needs root or CAP_BPF.", errno)
                : new BpfException($"Creating a {DescribeType(type)} map (key {keySize} B, value {valueSize} B, max_entries {maxEntries}, flags {flags}) failed ({Errno.Describe(errno)}): the kernel refuses these parameters for this type.", errno);
        }
        return FromOwnedFd(fd, null);
    }

    /// <summary>Opens the map with kernel id <paramref name="id"/> (<c>BPF_MAP_GET_FD_BY_ID</c>), e.g. an inner map found in a map of maps. Dispose it.</summary>
    /// <exception cref="KeyNotFoundException">No map has this id (it was freed).</exception>
    public static BpfMap OpenById(uint id)
    {
        LibBpf.EnsureInitialized();
        var fd = LibBpf.bpf_map_get_fd_by_id(id);
        if (fd < 0)
        {
            var errno = -fd;
            if (errno == Errno.ENOENT) throw new KeyNotFoundException($"No BPF map has id {id} (ENOENT): it was freed when its last reference closed.");
            throw errno is Errno.EPERM or Errno.EACCES
                ? new BpfPermissionException($"Opening map id {id} was denied ({Errno.Name(errno)}): it needs CAP_SYS_ADMIN.", errno)
                : new BpfException($"Opening map id {id} failed ({Errno.Describe(errno)}).", errno);
        }
        return FromOwnedFd(fd, null);
    }

    private static unsafe BpfMap FromOwnedFd(int fd, string? pinnedPath)
    {
        var handle = new FileDescriptorHandle(fd);
        try
        {
            BpfMapInfo info = default;
            var length = (uint)sizeof(BpfMapInfo);
            var result = LibBpf.bpf_obj_get_info_by_fd(fd, &info, &length);
            if (result < 0) throw new BpfException($"Reading the description of a new map fd failed ({Errno.Describe(-result)}).", -result);
            return new BpfMap(handle, info, pinnedPath);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where libbpf pins this map at load, or finds it pinned: <c>[Map(Pinning = MapPinning.ByName)]</c> maps
    /// default to <c>/sys/fs/bpf/&lt;name&gt;</c>. Set it before <see cref="BpfObject.Load"/> to pin elsewhere (or
    /// to pin a map declared without pinning); null for none. If a map is already pinned there, the object reuses
    /// it (its type, sizes and flags must match); otherwise libbpf creates the map and pins it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not a map of a <see cref="BpfObject"/>, or the object is already loaded.</exception>
    public unsafe string? LoadPinPath
    {
        get
        {
            if (Native == 0) return null;
            var path = LibBpf.bpf_map__pin_path(Native);
            return path is null ? null : Marshal.PtrToStringUTF8((nint)path);
        }
        set
        {
            if (_owner is null || Native == 0) throw new InvalidOperationException($"Map '{Name}' does not belong to a BPF object: pin it with Pin(path).");
            if (_owner.IsLoaded) throw new InvalidOperationException($"BPF object '{_owner.Name}' is already loaded: set the pin path of map '{Name}' before Load().");
            var result = LibBpf.bpf_map__set_pin_path(Native, value);
            if (result < 0) throw new BpfException($"Setting the pin path of map '{Name}' to '{value}' failed ({Errno.Describe(-result)}).", -result);
        }
    }

    /// <summary>True when libbpf pinned this map at load, or reused the map pinned at <see cref="LoadPinPath"/>.</summary>
    public bool IsPinnedByLoad => Native != 0 && _owner is { IsLoaded: true } && LibBpf.bpf_map__is_pinned(Native) != 0;

    /// <summary>A typed view of this LPM trie (<c>BPF_MAP_TYPE_LPM_TRIE</c>) with <see cref="LpmKey{TData}"/> keys.</summary>
    /// <exception cref="BpfException">The map is not an LPM trie, or the type sizes differ from the map's.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfLpmTrieMap<TData, TValue> AsLpmTrieMap<TData, TValue>()
        where TData : unmanaged
        where TValue : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("an LPM trie", "GetLpmTrieMap<TData, TValue>()", BpfMapType.LpmTrie);
        ValidateLayout(typeof(BpfLpmTrieMap<TData, TValue>), typeof(LpmKey<TData>), sizeof(LpmKey<TData>), typeof(TValue), sizeof(TValue));
        return new BpfLpmTrieMap<TData, TValue>(this);
    }

    /// <summary>A typed view of this queue map (<c>BPF_MAP_TYPE_QUEUE</c>).</summary>
    /// <exception cref="BpfException">The map is not a queue, or <typeparamref name="T"/>'s size differs from the value size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfQueueMap<T> AsQueueMap<T>()
        where T : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("a queue map", "GetQueueMap<T>()", BpfMapType.Queue);
        ValidateKeyless(typeof(BpfQueueMap<T>), typeof(T), sizeof(T));
        return new BpfQueueMap<T>(this);
    }

    /// <summary>A typed view of this stack map (<c>BPF_MAP_TYPE_STACK</c>).</summary>
    /// <exception cref="BpfException">The map is not a stack map, or <typeparamref name="T"/>'s size differs from the value size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfStackMap<T> AsStackMap<T>()
        where T : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("a stack map", "GetStackMap<T>()", BpfMapType.Stack);
        ValidateKeyless(typeof(BpfStackMap<T>), typeof(T), sizeof(T));
        return new BpfStackMap<T>(this);
    }

    /// <summary>A view of this stack trace map (<c>BPF_MAP_TYPE_STACK_TRACE</c>): frames by stack id.</summary>
    /// <exception cref="BpfException">The map is not a stack trace map.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfStackTraceMap AsStackTraceMap()
    {
        ThrowIfNotLoaded("open a view of");
        RequireType("a stack trace map", "GetStackTraceMap()", BpfMapType.StackTrace);
        return new BpfStackTraceMap(this);
    }

    /// <summary>A view of this program array (<c>BPF_MAP_TYPE_PROG_ARRAY</c>): tail-call targets by index.</summary>
    /// <exception cref="BpfException">The map is not a program array.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfProgramArray AsProgramArray()
    {
        ThrowIfNotLoaded("open a view of");
        RequireType("a program array", "GetProgramArray()", BpfMapType.ProgArray);
        return new BpfProgramArray(this);
    }

    /// <summary>A view of this array of maps (<c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>).</summary>
    /// <exception cref="BpfException">The map is not an array of maps.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfArrayOfMaps AsArrayOfMaps()
    {
        ThrowIfNotLoaded("open a view of");
        RequireType("an array of maps", "GetArrayOfMaps()", BpfMapType.ArrayOfMaps);
        return new BpfArrayOfMaps(this);
    }

    /// <summary>A view of this hash of maps (<c>BPF_MAP_TYPE_HASH_OF_MAPS</c>) with <typeparamref name="TKey"/> keys.</summary>
    /// <exception cref="BpfException">The map is not a hash of maps, or <typeparamref name="TKey"/>'s size differs from the key size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfHashOfMaps<TKey> AsHashOfMaps<TKey>()
        where TKey : unmanaged
    {
        ThrowIfNotLoaded("open a view of");
        RequireType("a hash of maps", "GetHashOfMaps<TKey>()", BpfMapType.HashOfMaps);
        ValidateLayout(typeof(BpfHashOfMaps<TKey>), typeof(TKey), sizeof(TKey), typeof(uint), sizeof(uint));
        return new BpfHashOfMaps<TKey>(this);
    }

    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c> without a key (queue and stack maps): false when empty.</summary>
    internal unsafe bool PopCore(void* value)
    {
        int result;
        using (Lease("pop from"))
            result = LibBpf.bpf_map_lookup_and_delete_elem(_fd, null, value);
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        throw Failure("Popping from", -result);
    }

    /// <summary>Throws unless the map has no key and <paramref name="valueSize"/>-byte values.</summary>
    private void ValidateKeyless(Type view, Type valueType, int valueSize)
    {
        if (KeySize == 0 && valueSize == ValueSize) return;
        throw new BpfException(
            $"Map '{Name}' has {ValueSize}-byte values, but {Pretty(view)} uses {Pretty(valueType)} ({valueSize} bytes): " +
            "the C# type must have exactly the map's value layout.");
    }

    /// <summary>Hints for <see cref="RequireType"/> about the map kinds of this file.</summary>
    private static string? KindHint(BpfMapType type) => type switch
    {
        BpfMapType.LpmTrie => "use GetLpmTrieMap<TData, TValue>() / AsLpmTrieMap<TData, TValue>()",
        BpfMapType.Queue => "use GetQueueMap<T>() / AsQueueMap<T>()",
        BpfMapType.Stack => "use GetStackMap<T>() / AsStackMap<T>()",
        BpfMapType.StackTrace => "use GetStackTraceMap() / AsStackTraceMap()",
        BpfMapType.ProgArray => "use GetProgramArray() / AsProgramArray()",
        BpfMapType.ArrayOfMaps => "use GetArrayOfMaps() / AsArrayOfMaps()",
        BpfMapType.HashOfMaps => "use GetHashOfMaps<TKey>() / AsHashOfMaps<TKey>()",
        BpfMapType.PerfEventArray => "use GetPerfEventArray()",
        _ => null,
    };
}
