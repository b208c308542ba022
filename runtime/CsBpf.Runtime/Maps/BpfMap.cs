using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// A BPF map, accessed with raw bytes through its kernel fd (<c>bpf_map_lookup_elem</c>,
/// <c>bpf_map_update_elem</c>, <c>bpf_map_delete_elem</c>, <c>bpf_map_get_next_key</c>). Either a map of a
/// <see cref="BpfObject"/> (its layout is known as soon as the object is open; element access needs a loaded
/// object; the object owns it) or a pinned map opened with <see cref="OpenPinned"/> (owned by this instance:
/// dispose it). For typed access use <see cref="AsHashMap{TKey, TValue}"/>, <see cref="AsArrayMap{T}"/>,
/// <see cref="AsPerCpuArrayMap{T}"/>, <see cref="AsPerCpuHashMap{TKey, TValue}"/> or the
/// <see cref="BpfObject"/> accessors.
/// </summary>
public partial class BpfMap : IDisposable
{
    /// <summary><c>BPF_F_MMAPABLE</c> (include/uapi/linux/bpf.h): the array can be mapped into user memory.</summary>
    public const uint MmapableFlag = 1u << 10;

    /// <summary><c>BPF_FS_MAGIC</c>: <c>statfs</c>'s <c>f_type</c> for a BPF filesystem.</summary>
    private const long BpfFsMagic = 0xcafe4a11;

    private readonly BpfObject? _owner;
    private readonly FileDescriptorHandle? _ownFd;
    private readonly CallGuard _guard;
    private readonly object _gate = new();
    private int _fd = -1;
    private int _valueBufferSize;
    private MemoryMapping? _mapping;

    internal BpfMap(BpfObject owner, nint native)
    {
        _owner = owner;
        _guard = owner.Guard;
        Native = native;
        Name = LibBpf.MapName(native);
        IsInternal = LibBpf.bpf_map__is_internal(native) != 0;
        ReadLayout();
    }

    private BpfMap(FileDescriptorHandle fd, in BpfMapInfo info, string? pinnedPath)
    {
        _ownFd = fd;
        _guard = new CallGuard(open: true);
        _fd = fd.Fd;
        Name = info.NameString;
        Type = (BpfMapType)info.Type;
        KeySize = info.KeySize;
        ValueSize = info.ValueSize;
        MaxEntries = info.MaxEntries;
        Flags = info.MapFlags;
        PinnedPath = pinnedPath;
        ComputeValueBufferSize();
    }

    /// <summary>The <c>struct bpf_map *</c> of an object's map (0 for a pinned map); rebound if the object is re-opened before a successful load.</summary>
    internal nint Native { get; set; }

    /// <summary>The map's name (the C variable name, or e.g. <c>counter.bss</c> for libbpf's internal maps; for a pinned map, the kernel's 15-character name).</summary>
    public string Name { get; }

    /// <summary>The object this map belongs to, or null for a map opened with <see cref="OpenPinned"/>.</summary>
    public BpfObject? Object => _owner;

    /// <summary>The kernel map type (<c>bpf_map__type</c>); values without a named member are still the kernel's numbers.</summary>
    public BpfMapType Type { get; private set; }

    /// <summary>Key size in bytes (<c>bpf_map__key_size</c>).</summary>
    public uint KeySize { get; private set; }

    /// <summary>Value size in bytes (<c>bpf_map__value_size</c>); per CPU for per-CPU maps.</summary>
    public uint ValueSize { get; private set; }

    /// <summary>Maximum number of elements (<c>bpf_map__max_entries</c>; final after load). For a ring buffer, its size in bytes.</summary>
    public uint MaxEntries { get; private set; }

    /// <summary>The map's creation flags (<c>map_flags</c>, e.g. <see cref="MmapableFlag"/>).</summary>
    public uint Flags { get; private set; }

    /// <summary>True for an array created with <c>BPF_F_MMAPABLE</c> (libbpf creates <c>.data</c>/<c>.bss</c>/<c>.rodata</c> so), whose elements can be read and written in place.</summary>
    public bool IsMmapable => (Flags & MmapableFlag) != 0;

    /// <summary>True for libbpf's own global-data maps (<c>.data</c>, <c>.rodata</c>, <c>.bss</c>, <c>.kconfig</c>).</summary>
    public bool IsInternal { get; }

    /// <summary>The bpffs path this map was pinned at with <see cref="Pin"/> or opened from with <see cref="OpenPinned"/>, or null.</summary>
    public string? PinnedPath { get; private set; }

    /// <summary>The map's kernel fd (owned by the object, or by this instance for a pinned map).</summary>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    /// <exception cref="ObjectDisposedException">The object or the pinned map was disposed.</exception>
    public int Fd
    {
        get
        {
            using (Lease("get the fd of")) return _fd;
        }
    }

    /// <summary>
    /// The bytes a lookup writes and an update reads: <see cref="ValueSize"/>, or for per-CPU maps one slot of
    /// <see cref="ValueSize"/> rounded up to 8 bytes per possible CPU (<c>libbpf_num_possible_cpus</c>).
    /// </summary>
    public int ValueBufferSize => IsPerCpu ? _valueBufferSize : checked((int)ValueSize);

    /// <summary>True for per-CPU map types, whose values hold one slot per possible CPU.</summary>
    public bool IsPerCpu => (int)Type is 5 /* PERCPU_HASH */ or 6 /* PERCPU_ARRAY */ or 10 /* LRU_PERCPU_HASH */ or 21 /* PERCPU_CGROUP_STORAGE */;

    /// <summary>
    /// The number of possible CPUs (<c>libbpf_num_possible_cpus</c>, from /sys/devices/system/cpu/possible): the
    /// number of slots in a per-CPU value, including CPUs that are offline.
    /// </summary>
    public static int PossibleCpuCount => s_possibleCpus.Value;

    private static readonly Lazy<int> s_possibleCpus = new(() =>
    {
        LibBpf.EnsureInitialized();
        var cpus = LibBpf.libbpf_num_possible_cpus();
        return cpus > 0 ? cpus : throw new BpfException(
            $"Cannot count the possible CPUs: libbpf_num_possible_cpus failed ({Errno.Describe(-cpus)}); /sys/devices/system/cpu/possible must be readable.", -cpus);
    });

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
            ThrowIfNotLoaded("enumerate");
            return EnumerateRawKeys();
        }
    }

    // ---- typed views ------------------------------------------------------------------------------------------

    /// <summary>A typed view of this hash map (<c>BPF_MAP_TYPE_HASH</c> or <c>LRU_HASH</c>).</summary>
    /// <exception cref="BpfException">The map is not a hash map, or the type sizes differ from the map's.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfHashMap<TKey, TValue> AsHashMap<TKey, TValue>()
        where TKey : unmanaged
        where TValue : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("a hash map", "GetHashMap<TKey, TValue>()", BpfMapType.Hash, BpfMapType.LruHash);
        ValidateLayout(typeof(BpfHashMap<TKey, TValue>), typeof(TKey), sizeof(TKey), typeof(TValue), sizeof(TValue));
        return new BpfHashMap<TKey, TValue>(this);
    }

    /// <summary>A typed view of this array map (<c>BPF_MAP_TYPE_ARRAY</c>, including <c>.data</c>/<c>.bss</c>).</summary>
    /// <exception cref="BpfException">The map is not an array map, or <typeparamref name="T"/>'s size differs from the value size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfArrayMap<T> AsArrayMap<T>()
        where T : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("an array map", "GetArrayMap<T>()", BpfMapType.Array);
        ValidateLayout(typeof(BpfArrayMap<T>), typeof(uint), sizeof(uint), typeof(T), sizeof(T));
        return new BpfArrayMap<T>(this);
    }

    /// <summary>A typed view of this per-CPU array (<c>BPF_MAP_TYPE_PERCPU_ARRAY</c>): one <typeparamref name="T"/> per possible CPU per index.</summary>
    /// <exception cref="BpfException">The map is not a per-CPU array, or <typeparamref name="T"/>'s size differs from the value size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfPerCpuArrayMap<T> AsPerCpuArrayMap<T>()
        where T : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("a per-CPU array map", "GetPerCpuArrayMap<T>()", BpfMapType.PerCpuArray);
        ValidateLayout(typeof(BpfPerCpuArrayMap<T>), typeof(uint), sizeof(uint), typeof(T), sizeof(T));
        return new BpfPerCpuArrayMap<T>(this);
    }

    /// <summary>A typed view of this per-CPU hash map (<c>BPF_MAP_TYPE_PERCPU_HASH</c> or <c>LRU_PERCPU_HASH</c>).</summary>
    /// <exception cref="BpfException">The map is not a per-CPU hash map, or the type sizes differ from the map's.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public unsafe BpfPerCpuHashMap<TKey, TValue> AsPerCpuHashMap<TKey, TValue>()
        where TKey : unmanaged
        where TValue : unmanaged
    {
        ThrowIfNotLoaded("open a typed view of");
        RequireType("a per-CPU hash map", "GetPerCpuHashMap<TKey, TValue>()", BpfMapType.PerCpuHash, (BpfMapType)10 /* LRU_PERCPU_HASH */);
        ValidateLayout(typeof(BpfPerCpuHashMap<TKey, TValue>), typeof(TKey), sizeof(TKey), typeof(TValue), sizeof(TValue));
        return new BpfPerCpuHashMap<TKey, TValue>(this);
    }

    // ---- pinning ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Pins the map at <paramref name="path"/> on a BPF filesystem (<c>bpf_obj_pin</c>), mode 0600, so it
    /// outlives this process and can be opened with <see cref="OpenPinned"/>. The pin is a file: it stays until
    /// <see cref="Unpin"/> (or deleting the file) even after the object is closed.
    /// </summary>
    /// <param name="path">A path on a bpffs mount, e.g. <c>/sys/fs/bpf/my_map</c>; the directory must exist.</param>
    /// <exception cref="BpfException">The directory is not on a bpffs, the path already exists, or the kernel refused.</exception>
    /// <exception cref="BpfPermissionException">The process may not pin (needs CAP_BPF or root, and write access to the directory).</exception>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireBpfFs(path, $"Cannot pin map '{Name}' at '{path}'");
        int result;
        using (Lease("pin"))
            result = LibBpf.bpf_obj_pin(_fd, path);
        if (result < 0)
        {
            var errno = -result;
            throw errno switch
            {
                Errno.EEXIST => new BpfException($"Cannot pin map '{Name}' at '{path}': the path already exists (EEXIST). Delete the old pin (BpfMap.Unpin or rm) or choose another path.", errno),
                Errno.EPERM or Errno.EACCES => new BpfPermissionException($"Pinning map '{Name}' at '{path}' was denied ({Errno.Name(errno)}): pinning needs root or CAP_BPF and write access to the directory.", errno),
                _ => new BpfException($"Pinning map '{Name}' at '{path}' failed ({Errno.Describe(errno)}).", errno),
            };
        }
        // The kernel creates the pin with 0600 & ~umask (bpf_obj_pin_user); make it exactly owner read-write.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        PinnedPath = path;
    }

    /// <summary>Removes the pin made by <see cref="Pin"/> (or the one this map was opened from): unlinks the bpffs file. The map itself lives on while anything uses it.</summary>
    /// <exception cref="InvalidOperationException">The map is not pinned.</exception>
    public void Unpin()
    {
        var path = PinnedPath ?? throw new InvalidOperationException($"Map '{Name}' is not pinned.");
        File.Delete(path);
        PinnedPath = null;
    }

    /// <summary>
    /// Opens a map pinned on a bpffs (<c>bpf_obj_get</c>) and reads its layout (<c>BPF_OBJ_GET_INFO_BY_FD</c>).
    /// The returned map owns its fd: dispose it. Use <see cref="AsHashMap{TKey, TValue}"/> and the other
    /// <c>As...</c> methods for typed access.
    /// </summary>
    /// <param name="path">The pin's path, e.g. <c>/sys/fs/bpf/my_map</c>.</param>
    /// <exception cref="FileNotFoundException">Nothing is pinned at <paramref name="path"/>.</exception>
    /// <exception cref="BpfException">The path is not on a bpffs, or is not a map.</exception>
    /// <exception cref="BpfPermissionException">The process may not open it.</exception>
    public static unsafe BpfMap OpenPinned(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        LibBpf.EnsureInitialized();
        var fd = LibBpf.bpf_obj_get(path);
        if (fd < 0)
        {
            var errno = -fd;
            if (errno == Errno.ENOENT)
                throw new FileNotFoundException($"No BPF object is pinned at '{path}' (ENOENT): pin the map first (BpfMap.Pin) or check the path.", path);
            RequireBpfFs(path, $"Cannot open pinned map '{path}'");
            throw errno is Errno.EPERM or Errno.EACCES
                ? new BpfPermissionException($"Opening pinned map '{path}' was denied ({Errno.Name(errno)}): it needs root or CAP_BPF and read access to the pin (pins are created 0600).", errno)
                : new BpfException($"Opening pinned map '{path}' failed ({Errno.Describe(errno)}).", errno);
        }
        var handle = new FileDescriptorHandle(fd);
        try
        {
            BpfMapInfo info = default;
            var length = (uint)sizeof(BpfMapInfo);
            var result = LibBpf.bpf_obj_get_info_by_fd(fd, &info, &length);
            if (result < 0)
                throw new BpfException($"'{path}' is pinned but reading its description failed ({Errno.Describe(-result)}): is it a map (and not a program or link)?", -result);
            return new BpfMap(handle, info, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Closes the fd of a map opened with <see cref="OpenPinned"/> (and unmaps its memory). For a map of a
    /// <see cref="BpfObject"/> this does nothing: the object owns its maps and releases them when disposed.
    /// </summary>
    public void Dispose()
    {
        if (_ownFd is null) return;
        _guard.Close(); // wait for element operations using the fd
        ReleaseResources();
        _ownFd.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} map '{Name}' (key {KeySize} B, value {ValueSize} B, max {MaxEntries})";

    // ---- cores shared with the typed views -------------------------------------------------------------------

    /// <summary>The fd number; only valid under a <see cref="Lease"/>.</summary>
    internal int RawFd => _fd;

    /// <summary>
    /// Keeps the fd open for one native call (the object's handle, or the pinned map's own fd). The message
    /// text is built only when the lease fails, so the hot path does not allocate.
    /// </summary>
    /// <param name="verb">What the caller does, e.g. "look up" (message: "Cannot look up map 'x': ...").</param>
    internal HandleLease Lease(string verb)
    {
        if (_ownFd is not null) return new HandleLease(_ownFd);
        var owner = _owner!;
        if (!owner.IsLoaded) owner.ThrowIfNotLoaded($"{verb} map '{Name}'");
        return new HandleLease(owner.Handle);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe int SlowLookup(void* key, void* value)
    {
        using (SlowLease("look up")) return LibBpf.bpf_map_lookup_elem(_fd, key, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe int SlowUpdate(void* key, void* value, MapUpdateFlags flags)
    {
        using (SlowLease("update")) return LibBpf.bpf_map_update_elem(_fd, key, value, (ulong)flags);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe int SlowDelete(void* key)
    {
        using (SlowLease("delete from")) return LibBpf.bpf_map_delete_elem(_fd, key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe int SlowNextKey(void* key, void* nextKey)
    {
        using (SlowLease("enumerate")) return LibBpf.bpf_map_get_next_key(_fd, key, nextKey);
    }

    /// <summary>
    /// The element operations' slow path, when <see cref="CallGuard.TryEnter"/> declined: throws when the object
    /// is not loaded or is disposed (or being disposed), otherwise leases the handle like every other call, and
    /// gives the thread a guard slot so its next call takes the fast path.
    /// </summary>
    private HandleLease SlowLease(string verb)
    {
        CallGuard.EnsureSlot();
        if (_owner is { } owner && !owner.IsLoaded) owner.ThrowIfNotLoaded($"{verb} map '{Name}'");
        return Lease(verb);
    }

    /// <summary>Throws unless the map can be accessed (object loaded and not disposed, or pinned map open).</summary>
    internal void ThrowIfNotLoaded(string verb)
    {
        if (_ownFd is not null)
        {
            ObjectDisposedException.ThrowIf(_ownFd.IsClosed, this);
            return;
        }
        _owner!.ThrowIfNotLoaded($"{verb} map '{Name}'");
    }

    /// <summary>Refreshes what libbpf may have finalized during load (e.g. max_entries) and takes the fd.</summary>
    internal void OnLoaded()
    {
        ReadLayout();
        _fd = LibBpf.bpf_map__fd(Native);
    }

    /// <summary>Unmaps memory mapped for <see cref="GetMapping"/> (the owning object is being disposed).</summary>
    internal void ReleaseResources()
    {
        MemoryMapping? mapping;
        lock (_gate)
        {
            mapping = _mapping;
            _mapping = null;
        }
        mapping?.Dispose();
    }

    /// <summary>
    /// The map's memory, mapped on first use: <c>round_up(value_size, 8) * max_entries</c> bytes (kernel
    /// <c>array_map_alloc</c> lays elements out 8-byte aligned) rounded up to pages. Mapped read-write when the
    /// kernel allows it, else read-only: a frozen map (<c>.rodata</c> after load, see <c>bpf_map_mmap</c>) or a
    /// <c>BPF_F_RDONLY</c> one refuses <c>PROT_WRITE</c> with EPERM.
    /// </summary>
    internal MemoryMapping GetMapping()
    {
        lock (_gate)
        {
            if (_mapping is { IsClosed: false }) return _mapping;
            if (Type != BpfMapType.Array || !IsMmapable)
                throw new InvalidOperationException(
                    $"Map '{Name}' cannot be accessed as memory: only arrays created with BPF_F_MMAPABLE can " +
                    $"(this is a {Type} map{(Type == BpfMapType.Array ? " without the flag" : "")}). Declare it with __uint(map_flags, BPF_F_MMAPABLE).");
            var length = MemoryMapping.RoundUpToPages((ulong)ElementStride * MaxEntries);
            MemoryMapping? mapping;
            int errno;
            using (Lease("map the memory of"))
            {
                mapping = MemoryMapping.TryMap(_fd, length, writable: true, 0, out errno);
                if (mapping is null && errno == Errno.EPERM)
                    mapping = MemoryMapping.TryMap(_fd, length, writable: false, 0, out errno);
            }
            if (mapping is null)
                throw new BpfException($"Mapping the memory of map '{Name}' failed ({Errno.Describe(errno)}).", errno);
            return _mapping = mapping;
        }
    }

    /// <summary>The distance between two array elements in the map's memory: value_size rounded up to 8.</summary>
    internal uint ElementStride => (ValueSize + 7) & ~7u;

    /// <summary>Throws unless the C# types match the map's key and value sizes exactly.</summary>
    internal void ValidateLayout(Type view, Type keyType, int keySize, Type valueType, int valueSize)
    {
        if (keySize == KeySize && valueSize == ValueSize) return;
        throw new BpfException(
            $"Map '{Name}' has {KeySize}-byte keys and {ValueSize}-byte values, but {Pretty(view)} uses " +
            $"{Pretty(keyType)} ({keySize} bytes) and {Pretty(valueType)} ({valueSize} bytes): the C# types must have " +
            "exactly the map's key and value layout (mind field sizes and padding; use [StructLayout(LayoutKind.Sequential)] structs matching the C structs).");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool LookupCore(void* key, void* value)
    {
        int result;
        var slot = _guard.TryEnter();
        if (slot != null)
        {
            result = LibBpf.bpf_map_lookup_elem(_fd, key, value);
            CallGuard.Exit(slot);
        }
        else
        {
            result = SlowLookup(key, value);
        }
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        throw LookupFailure(-result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BpfException LookupFailure(int errno) => Failure("Looking up a key in", errno);

    internal unsafe void UpdateCore(void* key, void* value, MapUpdateFlags flags)
    {
        int result;
        var slot = _guard.TryEnter();
        if (slot != null)
        {
            result = LibBpf.bpf_map_update_elem(_fd, key, value, (ulong)flags);
            CallGuard.Exit(slot);
        }
        else
        {
            result = SlowUpdate(key, value, flags);
        }
        if (result != 0) throw UpdateFailure(-result, flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool DeleteCore(void* key)
    {
        int result;
        var slot = _guard.TryEnter();
        if (slot != null)
        {
            result = LibBpf.bpf_map_delete_elem(_fd, key);
            CallGuard.Exit(slot);
        }
        else
        {
            result = SlowDelete(key);
        }
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        if (result == -Errno.EINVAL && (int)Type is 2 or 6)
            throw new BpfException($"Elements of array map '{Name}' cannot be deleted (EINVAL): an array always holds max_entries elements; store a zero value instead.", Errno.EINVAL);
        throw Failure("Deleting a key from", -result);
    }

    /// <summary><c>bpf_map_get_next_key</c>: <paramref name="key"/> NULL gives the first key; false after the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool NextKeyCore(void* key, void* nextKey)
    {
        int result;
        var slot = _guard.TryEnter();
        if (slot != null)
        {
            result = LibBpf.bpf_map_get_next_key(_fd, key, nextKey);
            CallGuard.Exit(slot);
        }
        else
        {
            result = SlowNextKey(key, nextKey);
        }
        if (result == 0) return true;
        if (result == -Errno.ENOENT) return false;
        throw Failure("Enumerating", -result);
    }

    /// <summary>
    /// <c>bpf_map_lookup_batch</c> / <c>bpf_map_lookup_and_delete_batch</c> from <paramref name="cursor"/>:
    /// fills up to <paramref name="capacity"/> elements and returns how many; marks the cursor complete when the
    /// kernel reports the end of the map (ENOENT).
    /// </summary>
    internal unsafe int LookupBatchCore(ref BpfMapBatchCursor cursor, void* keys, void* values, int capacity, bool delete)
    {
        if (cursor.IsComplete || capacity == 0) return 0;
        // Hash maps use a 4-byte bucket index as the batch token, arrays the previous key (4 bytes): 8 bytes suffice.
        ulong inToken = cursor.Token, outToken = 0;
        var count = (uint)capacity;
        var opts = new BpfMapBatchOpts { Size = (nuint)sizeof(BpfMapBatchOpts) };
        int result;
        using (Lease(delete ? "look up and delete in" : "look up in"))
        {
            result = delete
                ? LibBpf.bpf_map_lookup_and_delete_batch(_fd, cursor.Started ? &inToken : null, &outToken, keys, values, &count, &opts)
                : LibBpf.bpf_map_lookup_batch(_fd, cursor.Started ? &inToken : null, &outToken, keys, values, &count, &opts);
        }
        if (result == -Errno.ENOENT)
        {
            cursor = cursor.Advance(outToken, complete: true);
            return (int)count;
        }
        if (result != 0) throw BatchFailure(delete ? "Batch lookup-and-delete in" : "Batch lookup in", -result, capacity);
        cursor = cursor.Advance(outToken, complete: false);
        return (int)count;
    }

    /// <summary>
    /// <c>bpf_map_update_batch</c> of <paramref name="count"/> elements (create or replace: the kernel's
    /// <c>generic_map_update_batch</c> allows no other <c>elem_flags</c> than <c>BPF_F_LOCK</c>).
    /// </summary>
    internal unsafe int UpdateBatchCore(void* keys, void* values, int count)
    {
        if (count == 0) return 0;
        var done = (uint)count;
        var opts = new BpfMapBatchOpts { Size = (nuint)sizeof(BpfMapBatchOpts) };
        int result;
        using (Lease("batch update"))
            result = LibBpf.bpf_map_update_batch(_fd, keys, values, &done, &opts);
        if (result == 0) return count;
        var errno = -result;
        if (errno == Errno.E2BIG)
            throw new BpfException($"Batch update of map '{Name}' stopped after {done} of {count} elements: " + UpdateFailure(errno, MapUpdateFlags.Any).Message, errno);
        throw BatchFailure($"Batch update (stopped after {done} of {count} elements) of", errno, count);
    }

    /// <summary>
    /// <c>bpf_map_delete_batch</c>. The kernel stops at the first key that is missing (ENOENT, with the count of
    /// keys deleted before it); this skips such keys and goes on, so every present key is deleted.
    /// </summary>
    internal unsafe int DeleteBatchCore(byte* keys, int count)
    {
        var deleted = 0;
        var opts = new BpfMapBatchOpts { Size = (nuint)sizeof(BpfMapBatchOpts) };
        while (count > 0)
        {
            var done = (uint)count;
            int result;
            using (Lease("batch delete from"))
                result = LibBpf.bpf_map_delete_batch(_fd, keys, &done, &opts);
            if (result == 0) return deleted + count;
            if (result != -Errno.ENOENT || done >= (uint)count) throw BatchFailure("Batch delete from", -result, count);
            // keys[done] is not in the map: skip it.
            deleted += (int)done;
            keys += (done + 1) * KeySize;
            count -= (int)done + 1;
        }
        return deleted;
    }

    /// <summary>
    /// Bounds an enumeration: a hash map restarts from its first key when the current key was deleted, so a
    /// map changing fast could otherwise be walked forever (the same guard as cilium/ebpf's iterator).
    /// </summary>
    internal long MaxEnumerationSteps => 2L * MaxEntries + 2;

    internal BpfException EnumerationAborted() =>
        new($"Enumerating map '{Name}' was aborted after {MaxEnumerationSteps} keys: the map changed faster than it could be read " +
            "(keys deleted during enumeration make the kernel restart from the first key). Retry, or read it while it is quiescent.");

    /// <summary>
    /// Walks the keys one ahead: the next key is fetched while the current one still exists, so the caller may
    /// delete the key it was just given without sending the kernel's walk back to the first key.
    /// </summary>
    internal IEnumerable<TKey> EnumerateKeys<TKey>()
        where TKey : unmanaged
    {
        if (!TryGetNextKey(first: true, default(TKey), out var current)) yield break;
        // What was yielded: when a key the walk stands on is deleted by someone else, the kernel restarts from
        // the first key, and the walk then passes over keys it has already given out (MapEnumeration).
        var yielded = new HashSet<TKey>(MapEnumeration.KeyComparer<TKey>.Instance);
        for (long skipped = 0; ;)
        {
            var hasNext = TryGetNextKey(first: false, current, out var next);
            if (yielded.Add(current)) yield return current;
            else if (++skipped >= MaxEnumerationSteps) throw EnumerationAborted();
            if (!hasNext) yield break;
            current = next;
        }
    }

    private unsafe bool TryGetNextKey<TKey>(bool first, TKey current, out TKey next)
        where TKey : unmanaged
    {
        next = default;
        fixed (TKey* n = &next)
            return NextKeyCore(first ? null : &current, n);
    }

    private IEnumerable<byte[]> EnumerateRawKeys()
    {
        // One key ahead, as in EnumerateKeys: the caller may delete the key it was just given.
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

    private void RequireType(string what, string accessor, params BpfMapType[] types)
    {
        if (Array.IndexOf(types, Type) >= 0) return;
        var hint = Type switch
        {
            BpfMapType.Hash or BpfMapType.LruHash => "use GetHashMap<TKey, TValue>() / AsHashMap<TKey, TValue>()",
            BpfMapType.Array => "use GetArrayMap<T>() / AsArrayMap<T>()",
            BpfMapType.PerCpuArray => "use GetPerCpuArrayMap<T>() / AsPerCpuArrayMap<T>() (per-CPU maps hold one value per CPU)",
            BpfMapType.PerCpuHash or BpfMapType.LruPerCpuHash => "use GetPerCpuHashMap<TKey, TValue>() / AsPerCpuHashMap<TKey, TValue>() (per-CPU maps hold one value per CPU)",
            BpfMapType.RingBuf => "use GetRingBuffer()",
            _ => KindHint(Type) ?? "use the untyped BpfMap API",
        };
        throw new BpfException($"Map '{Name}' is a {DescribeType(Type)} map, not {what} ({accessor}): {hint}.");
    }

    private BpfException UpdateFailure(int errno, MapUpdateFlags flags) => errno switch
    {
        Errno.EEXIST => new BpfException($"Map '{Name}' already holds this key and MapUpdateFlags.NoExist forbids replacing it (EEXIST): use MapUpdateFlags.Any to overwrite.", errno),
        Errno.ENOENT when flags == MapUpdateFlags.Exist => new BpfException($"Map '{Name}' does not hold this key and MapUpdateFlags.Exist only replaces existing elements (ENOENT): use MapUpdateFlags.Any to insert.", errno),
        Errno.E2BIG => new BpfException($"Map '{Name}' is full (max_entries {MaxEntries}) (E2BIG): delete elements or raise max_entries in the map definition.", errno),
        _ => Failure("Updating", errno),
    };

    private BpfException BatchFailure(string operation, int errno, int capacity) => errno switch
    {
        Errno.ENOSPC => new BpfException(
            $"{operation} map '{Name}' failed (ENOSPC): a hash bucket holds more elements than the {capacity} the buffers can take; pass bigger key and value spans.", errno),
        Errno.EINVAL or Errno.EOPNOTSUPP or Errno.ENOTSUPP => new BpfNotSupportedException(
            $"{operation} map '{Name}' failed ({Errno.Describe(errno)}): {DescribeType(Type)} maps do not support batch operations on this kernel " +
            "(BPF_MAP_*_BATCH needs Linux 5.6+ and a hash or array map); use the per-element methods.", errno),
        _ => Failure(operation, errno),
    };

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
        Flags = LibBpf.bpf_map__map_flags(Native);
        ComputeValueBufferSize();
    }

    private void ComputeValueBufferSize()
    {
        // The kernel copies one 8-byte-aligned slot per *possible* CPU (not online CPUs): bpf_map_value_size().
        if (IsPerCpu) _valueBufferSize = checked((int)ElementStride * PossibleCpuCount);
    }

    /// <summary>Throws unless <paramref name="path"/>'s directory (or the path itself) is on a BPF filesystem.</summary>
    private static unsafe void RequireBpfFs(string path, string what)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        byte* buffer = stackalloc byte[256];
        if (LibC.statfs(directory, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"{what}: its directory '{directory}' cannot be examined ({Errno.Describe(errno)}); create it on a BPF filesystem first (mount -t bpf bpf /sys/fs/bpf; mkdir -p {directory}).", errno);
        }
        if (*(long*)buffer != BpfFsMagic)
            throw new BpfException($"{what}: '{directory}' is not on a BPF filesystem (bpffs). Pins live on bpffs: use a path under /sys/fs/bpf (mount it with `mount -t bpf bpf /sys/fs/bpf` if needed).");
    }

    internal static string DescribeType(BpfMapType type) =>
        Enum.IsDefined(type) ? type.ToString() : $"type {(int)type}";

    private static string Pretty(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Pretty))}>"
            : type.Name;
}
