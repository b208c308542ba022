using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// A BPF ELF object (programs and maps) opened with libbpf: open it, <see cref="Load"/> it into the kernel,
/// attach its programs and read or write its maps. Disposing detaches every link created through it and
/// closes the object, which unloads its programs and releases its maps.
/// </summary>
/// <remarks>
/// Typical use: <c>using var obj = BpfObject.Open(elf, "counter"); obj.Load(); obj.AttachAll();</c> then
/// <c>obj.GetHashMap&lt;uint, ulong&gt;("counts")</c>. Map accessors need a loaded object (before
/// <c>bpf_object__load</c> a map has no kernel fd).
/// </remarks>
public sealed partial class BpfObject : IDisposable
{
    /// <summary>The verifier log buffer given to each program on the first load attempt.</summary>
    internal const int DefaultLogBufferSize = 1 << 20;

    /// <summary>The largest verifier log buffer tried (the kernel's limit before 5.2 was 16 MiB - 1).</summary>
    internal const int MaxLogBufferSize = 16 << 20;

    private readonly object _gate = new();
    private readonly List<BpfLink> _links = [];
    private readonly List<BpfRingBuffer> _ringBuffers = [];
    private readonly List<BpfPerfEventArray> _perfEventArrays = [];
    private readonly CallGuard _guard = new(open: false);
    private readonly BpfProgramHandle[] _programs;
    private readonly BpfMap[] _maps;
    private BpfObjectSafeHandle _handle;
    private NativeBuffer? _elf;
    private bool _loadAttempted;
    private volatile bool _loaded;
    private volatile bool _disposed;

    private BpfObject(string name, NativeBuffer elf, BpfObjectSafeHandle handle)
    {
        Name = name;
        _elf = elf;
        _handle = handle;
        var obj = handle.DangerousGetHandle();
        _programs = [.. EnumeratePrograms(obj).Select(p => new BpfProgramHandle(this, p))];
        _maps = [.. EnumerateMaps(obj).Select(m => new BpfMap(this, m))];
    }

    /// <summary>The object's name as given to <see cref="Open"/> (libbpf truncates it to 15 characters in its own logs).</summary>
    public string Name { get; }

    /// <summary>True after a successful <see cref="Load"/> and until <see cref="Dispose"/>.</summary>
    public bool IsLoaded => _loaded && !_disposed;

    /// <summary>The object's programs, in ELF order.</summary>
    public IReadOnlyList<BpfProgramHandle> Programs => _programs;

    /// <summary>The object's maps, in ELF order, including libbpf's internal <c>.data</c>/<c>.rodata</c>/<c>.bss</c> maps.</summary>
    public IReadOnlyList<BpfMap> Maps => _maps;

    /// <summary>Internal knob for tests: the first verifier log buffer size (grows up to <see cref="MaxLogBufferSize"/>).</summary>
    internal int InitialLogBufferSize { get; set; } = DefaultLogBufferSize;

    /// <summary>How many times <see cref="Load"/> re-opened the object to retry with a bigger log buffer (for tests).</summary>
    internal int LoadRetries { get; private set; }

    /// <summary>
    /// Opens a BPF ELF object from memory (<c>bpf_object__open_mem</c>). The bytes are copied to native memory,
    /// so <paramref name="elf"/> may be reused as soon as this returns.
    /// </summary>
    /// <param name="elf">An ELF relocatable object for the BPF target (e.g. <c>clang -target bpf -c</c> or the CsBpf compiler's output).</param>
    /// <param name="name">The object's name in logs and messages.</param>
    /// <exception cref="BpfException">The bytes are not a valid BPF ELF object.</exception>
    /// <exception cref="BpfNativeLibraryException">libbpf 1.x is not installed.</exception>
    public static BpfObject Open(ReadOnlySpan<byte> elf, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        LibBpf.EnsureInitialized();
        if (elf.IsEmpty)
            throw new BpfException($"Cannot open BPF object '{name}': the ELF image is empty. Pass the bytes of a BPF object file (clang -target bpf -c, or the CsBpf compiler's output).");

        // The BpfLog format table is a section libbpf skips: read it from the image while we have it.
        var logFormats = Logging.BpfLogFormatTable.TryRead(elf, name);
        var buffer = NativeBuffer.CopyOf(elf);
        try
        {
            var handle = OpenNative(buffer, name);
            return new BpfObject(name, buffer, handle) { _logFormats = logFormats };
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a BPF ELF object embedded as a manifest resource of <paramref name="assembly"/> (for example by
    /// the CsBpf build targets).
    /// </summary>
    /// <param name="assembly">The assembly holding the resource.</param>
    /// <param name="resourceName">The manifest resource name (see <see cref="Assembly.GetManifestResourceNames"/>).</param>
    /// <exception cref="BpfException">The resource does not exist, or is not a valid BPF ELF object.</exception>
    public static BpfObject OpenEmbedded(Assembly assembly, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourceName);
        using var stream = assembly.GetManifestResourceStream(resourceName);
        if (stream is null)
        {
            var available = assembly.GetManifestResourceNames();
            throw new BpfException(
                $"Assembly '{assembly.GetName().Name}' has no embedded resource '{resourceName}' " +
                $"(it has: {(available.Length == 0 ? "none" : string.Join(", ", available.Order(StringComparer.Ordinal)))}). " +
                "Embed the BPF object with an <EmbeddedResource> item whose LogicalName is that name, or pass the right name.");
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Open(copy.GetBuffer().AsSpan(0, (int)copy.Length), ObjectNameFromResource(resourceName));
    }

    /// <summary>
    /// Loads the object into the kernel (<c>bpf_object__load</c>): creates its maps and verifies and loads its
    /// programs. Can be attempted once per object.
    /// </summary>
    /// <exception cref="BpfLoadException">The verifier rejected a program (message: summary line, then the verifier log), or another load step failed.</exception>
    /// <exception cref="BpfPermissionException">The process lacks root / CAP_BPF + CAP_PERFMON.</exception>
    /// <exception cref="InvalidOperationException">Load was already attempted.</exception>
    public void Load()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_loaded) throw new InvalidOperationException($"BPF object '{Name}' is already loaded.");
            if (_loadAttempted)
                throw new InvalidOperationException($"Loading BPF object '{Name}' was already attempted and failed; libbpf cannot load an object twice: open a new BpfObject.");
            _loadAttempted = true;
            try
            {
                LoadWithLogRetries();
                foreach (var map in _maps) map.OnLoaded();
                UploadBssImages();
                _loaded = true;
                _guard.MarkOpen();
            }
            finally
            {
                // libbpf finished reading the ELF image in bpf_object__open_mem (bpf_object__elf_finish); it is
                // kept only to re-open the object for a retry with a bigger log buffer.
                _elf?.Dispose();
                _elf = null;
            }
        }
    }

    /// <summary>The program named <paramref name="name"/> (its C function name).</summary>
    /// <exception cref="KeyNotFoundException">No such program; the message lists the available names.</exception>
    public BpfProgramHandle GetProgram(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var program in _programs)
            if (program.Name == name) return program;
        throw new KeyNotFoundException(
            $"BPF object '{Name}' has no program named '{name}'; its programs are: {NameList(_programs.Select(p => p.Name))}.");
    }

    /// <summary>The map named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such map; the message lists the available names.</exception>
    public BpfMap GetMap(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var map in _maps)
            if (map.Name == name) return map;
        throw new KeyNotFoundException(
            $"BPF object '{Name}' has no map named '{name}'; its maps are: {NameList(_maps.Select(m => m.Name))}.");
    }

    /// <summary>
    /// A typed view of the hash map <paramref name="name"/> (<c>BPF_MAP_TYPE_HASH</c> or <c>LRU_HASH</c>).
    /// <typeparamref name="TKey"/> and <typeparamref name="TValue"/> must have exactly the map's key and value sizes.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a hash map, or the type sizes differ from the map's.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfHashMap<TKey, TValue> GetHashMap<TKey, TValue>(string name)
        where TKey : unmanaged
        where TValue : unmanaged => GetMap(name).AsHashMap<TKey, TValue>();

    /// <summary>
    /// A typed view of the array map <paramref name="name"/> (<c>BPF_MAP_TYPE_ARRAY</c>, including the
    /// <c>.data</c>/<c>.bss</c> maps). <typeparamref name="T"/> must have exactly the map's value size.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not an array map, or the type size differs from the map's value size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfArrayMap<T> GetArrayMap<T>(string name)
        where T : unmanaged => GetMap(name).AsArrayMap<T>();

    /// <summary>A typed view of the per-CPU array <paramref name="name"/> (<c>BPF_MAP_TYPE_PERCPU_ARRAY</c>): one value per possible CPU per index.</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a per-CPU array, or the type size differs from the map's value size.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfPerCpuArrayMap<T> GetPerCpuArrayMap<T>(string name)
        where T : unmanaged => GetMap(name).AsPerCpuArrayMap<T>();

    /// <summary>A typed view of the per-CPU hash map <paramref name="name"/> (<c>BPF_MAP_TYPE_PERCPU_HASH</c> or <c>LRU_PERCPU_HASH</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a per-CPU hash map, or the type sizes differ from the map's.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfPerCpuHashMap<TKey, TValue> GetPerCpuHashMap<TKey, TValue>(string name)
        where TKey : unmanaged
        where TValue : unmanaged => GetMap(name).AsPerCpuHashMap<TKey, TValue>();

    /// <summary>
    /// The reader of the ring buffer map <paramref name="name"/> (<c>BPF_MAP_TYPE_RINGBUF</c>), which parses the
    /// ring's shared memory itself. The same reader is returned until it is disposed; the object disposes it too.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a ring buffer, or mapping it failed.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfRingBuffer GetRingBuffer(string name)
    {
        var map = GetMap(name);
        map.ThrowIfNotLoaded("read ring buffer");
        lock (_gate)
        {
            ThrowIfDisposed();
            foreach (var existing in _ringBuffers)
                if (existing.Map == map) return existing;
            var ring = BpfRingBuffer.Create(map, this);
            _ringBuffers.Add(ring);
            return ring;
        }
    }

    /// <summary>
    /// The reader of the perf event array <paramref name="name"/> (<c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>): opens a
    /// BPF output perf event with a <paramref name="pagesPerCpu"/>-page buffer on every online CPU and stores it
    /// in the map, so <c>bpf_perf_event_output(ctx, &amp;map, BPF_F_CURRENT_CPU, ...)</c> reaches this reader. The
    /// same reader is returned until it is disposed; the object disposes it too.
    /// </summary>
    /// <param name="name">The map's name.</param>
    /// <param name="pagesPerCpu">Data pages per CPU buffer, a power of two (8 pages = 32 KiB per CPU with 4 KiB pages). Used when the reader is created.</param>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a perf event array, or setting up the events failed.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfPerfEventArray GetPerfEventArray(string name, int pagesPerCpu = 8)
    {
        var map = GetMap(name);
        map.ThrowIfNotLoaded("read perf event array");
        lock (_gate)
        {
            ThrowIfDisposed();
            foreach (var existing in _perfEventArrays)
                if (existing.Map == map) return existing;
            var reader = BpfPerfEventArray.Create(map, this, pagesPerCpu);
            _perfEventArrays.Add(reader);
            return reader;
        }
    }

    /// <summary>
    /// Typed access to the global variables of section <paramref name="section"/> (<c>.rodata</c>, <c>.data</c>,
    /// <c>.bss</c>, or a custom <c>.data.*</c>/<c>.rodata.*</c> section): before <see cref="Load"/> the initial
    /// values (set <c>.rodata</c> configuration here), after it the live, memory-mapped variables.
    /// </summary>
    /// <typeparam name="T">A struct with exactly the section's size and layout.</typeparam>
    /// <param name="section">The ELF section name, e.g. <c>.rodata</c>.</param>
    /// <exception cref="KeyNotFoundException">The object has no such section (no global variable lives there).</exception>
    /// <exception cref="BpfException"><typeparamref name="T"/> does not have the section's size.</exception>
    public unsafe BpfGlobals<T> GetGlobals<T>(string section)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(section);
        ThrowIfDisposed();
        if (!section.StartsWith('.')) section = "." + section;
        var map = FindSectionMap(section) ?? throw new KeyNotFoundException(
            $"BPF object '{Name}' has no global-data section '{section}'; its sections are: " +
            $"{NameList(_maps.Where(m => m.IsInternal).Select(m => SectionOf(m.Name)))} (a section exists only if a global variable lives in it).");
        if (map.ValueSize != (uint)sizeof(T))
            throw new BpfException(
                $"Section '{section}' of BPF object '{Name}' has {map.ValueSize} bytes, but {typeof(T).Name} has {sizeof(T)}: " +
                "declare a [StructLayout(LayoutKind.Sequential)] struct with the section's variables in offset order (as the compiler laid them out, see `bpftool btf dump`), padding included.");
        return new BpfGlobals<T>(this, map, section);
    }

    /// <summary>
    /// Attaches every loaded program with <c>bpf_program__attach</c>, which derives the target from the
    /// section name (e.g. <c>tracepoint/syscalls/sys_enter_openat</c>). All or nothing: if one fails, the links
    /// already made are destroyed. The object owns the links and destroys them on <see cref="Dispose"/>.
    /// Programs whose target is an interface, socket or cgroup (<see cref="BpfProgramHandle.NeedsAttachTarget"/>)
    /// are skipped, as libbpf's skeletons do: attach them with their typed methods.
    /// </summary>
    /// <exception cref="BpfAttachException">A target does not exist or a section cannot be auto-attached.</exception>
    /// <exception cref="BpfPermissionException">The process lacks the privileges to attach.</exception>
    public IReadOnlyList<BpfLink> AttachAll()
    {
        ThrowIfNotLoaded("attach programs");
        var links = new List<BpfLink>(_programs.Length);
        try
        {
            foreach (var program in _programs)
                if (program.IsLoadedProgram && !program.NeedsAttachTarget)
                    links.Add(program.Attach());
        }
        catch
        {
            foreach (var link in links) link.Dispose();
            throw;
        }
        return links;
    }

    /// <summary>Detaches all links made through this object, then closes it (<c>bpf_object__close</c>). Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        StopLogging();
        BpfLink[] links;
        BpfRingBuffer[] rings;
        BpfPerfEventArray[] perfArrays;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            links = [.. _links];
            _links.Clear();
            rings = [.. _ringBuffers];
            _ringBuffers.Clear();
            perfArrays = [.. _perfEventArrays];
            _perfEventArrays.Clear();
        }
        // Detach before unloading so no event runs a program whose maps are going away.
        DetachAttachments();
        for (var i = links.Length - 1; i >= 0; i--) links[i].Dispose();
        // Readers own duplicate fds and mappings; end them with the object that made them.
        foreach (var ring in rings) ring.Dispose();
        foreach (var perfArray in perfArrays) perfArray.Dispose();
        // Wait for map element operations in flight on other threads (they use the maps' fds without a
        // SafeHandle reference), then close: bpf_object__close closes the fds.
        _guard.Close();
        foreach (var map in _maps) map.ReleaseResources();
        _handle.Dispose();
        _elf?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfObject '{Name}' ({(IsLoaded ? "loaded" : _disposed ? "disposed" : "not loaded")})";

    // ---- internals used by programs, maps and links ---------------------------------------------------------

    /// <summary>Protects the map fds during element operations (see <see cref="CallGuard"/>); closed by <see cref="Dispose"/>.</summary>
    internal CallGuard Guard => _guard;

    /// <summary>The bpf_object handle (leased around native calls that use its fds or pointers).</summary>
    internal SafeHandle Handle => _handle;

    /// <summary>Keeps the object open (loaded or not) for one native call on its libbpf structures.</summary>
    internal HandleLease LeaseOpen(string action)
    {
        ThrowIfDisposed();
        return new HandleLease(_handle);
    }

    /// <summary>Called by <see cref="BpfPerfEventArray.Dispose"/> so the object stops tracking it.</summary>
    internal void Forget(BpfPerfEventArray reader)
    {
        lock (_gate) _perfEventArrays.Remove(reader);
    }

    /// <summary>Called by <see cref="BpfRingBuffer.Dispose"/> so the object stops tracking it.</summary>
    internal void Forget(BpfRingBuffer ring)
    {
        lock (_gate) _ringBuffers.Remove(ring);
    }

    /// <summary>Keeps the object open for one native call; throws when disposed or not loaded.</summary>
    internal HandleLease LeaseLoaded(string action)
    {
        ThrowIfNotLoaded(action);
        return new HandleLease(_handle);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> or the "call Load() first" <see cref="InvalidOperationException"/>.</summary>
    internal void ThrowIfNotLoaded(string action)
    {
        ThrowIfDisposed();
        if (!_loaded)
            throw new InvalidOperationException($"Cannot {action}: BPF object '{Name}' is not loaded yet; call Load() first.");
    }

    /// <summary>
    /// Attaches <paramref name="program"/> (auto-attach when <paramref name="category"/> is null, otherwise to
    /// that tracepoint) and records the link so <see cref="Dispose"/> detaches it.
    /// </summary>
    internal BpfLink Attach(BpfProgramHandle program, string? category, string? tracepoint) =>
        category is null
            ? Attach(program, null, static (prog, _) => LibBpf.bpf_program__attach(prog), 0)
            : Attach(program, $"{category}/{tracepoint}", (prog, _) => LibBpf.bpf_program__attach_tracepoint(prog, category, tracepoint!), 0);

    /// <summary>
    /// Attaches with <paramref name="attach"/> (a libbpf <c>bpf_program__attach_*</c> call given the program and
    /// <paramref name="argument"/>, returning the link or NULL with errno) under the object's lease and a libbpf
    /// log capture, and records the link so <see cref="Dispose"/> detaches it.
    /// </summary>
    /// <param name="program">The program.</param>
    /// <param name="target">What it is attached to, for <see cref="BpfLink.Target"/> and messages; null for the section's target.</param>
    /// <param name="attach">The libbpf call.</param>
    /// <param name="argument">Passed to <paramref name="attach"/> (an fd or interface index).</param>
    internal BpfLink Attach(BpfProgramHandle program, string? target, Func<nint, int, nint> attach, int argument)
    {
        nint link;
        int errno;
        string log;
        using (var lease = LeaseLoaded($"attach program '{program.Name}'"))
        {
            if (LibBpf.bpf_program__fd(program.Native) < 0)
                throw new InvalidOperationException($"Program '{program.Name}' was not loaded (libbpf autoload is off for it), so it cannot be attached.");
            using var capture = LibBpfLog.Begin();
            link = attach(program.Native, argument);
            errno = Marshal.GetLastPInvokeError();
            log = capture.Text;
        }
        if (link == 0)
            throw BpfErrors.AttachFailure(program.Name, program.SectionName, target, errno, log, Privileges.Current());

        var result = new BpfLink(this, program, target ?? program.SectionName, new BpfLinkSafeHandle(link));
        lock (_gate)
        {
            if (!_disposed)
            {
                _links.Add(result);
                return result;
            }
        }
        result.Dispose(); // the object was disposed concurrently: do not leak an attachment
        throw new ObjectDisposedException(ToString());
    }

    /// <summary>Called by <see cref="BpfLink.Dispose"/> so the object stops tracking it.</summary>
    internal void Forget(BpfLink link)
    {
        lock (_gate) _links.Remove(link);
    }

    // ---- open / load ------------------------------------------------------------------------------------------

    private static unsafe BpfObjectSafeHandle OpenNative(NativeBuffer elf, string name)
    {
        using var nameUtf8 = NativeBuffer.Utf8(name);
        var opts = new BpfObjectOpenOpts { Size = (nuint)sizeof(BpfObjectOpenOpts), ObjectName = nameUtf8.Pointer };
        nint obj;
        int errno;
        string log;
        using (var capture = LibBpfLog.Begin())
        {
            // libbpf copies the name (bpf_object__new) and is done with the ELF image when this returns.
            obj = LibBpf.bpf_object__open_mem(elf.Pointer, elf.Length, &opts);
            errno = Marshal.GetLastPInvokeError();
            log = capture.Text;
        }
        if (obj == 0)
            throw new BpfException(
                $"'{name}' is not a valid BPF object: libbpf could not open it ({Errno.Describe(errno)})" +
                (string.IsNullOrWhiteSpace(log) ? "" : ": " + log.Trim().Replace('\n', ' ')) +
                ". Pass an ELF relocatable object built for the BPF target (clang -target bpf -c, or the CsBpf compiler's output).",
                errno);
        return new BpfObjectSafeHandle(obj);
    }

    /// <summary>
    /// Runs <c>bpf_object__load</c> with a verifier log buffer on every program. The buffer is passed with log
    /// level 0: libbpf then loads without logging (a successful load of a big program at level 1 would print
    /// every instruction and could fail with ENOSPC) and, when the kernel rejects a program, retries that load at
    /// level 1 into our buffer. If the log does not fit (ENOSPC: kernels fail the load when the log is
    /// truncated) the object is re-opened — libbpf cannot load an object twice — and loaded with 4x the buffer.
    /// </summary>
    private unsafe void LoadWithLogRetries()
    {
        var logSize = Math.Clamp(InitialLogBufferSize, 64, MaxLogBufferSize);
        while (true)
        {
            var obj = _handle.DangerousGetHandle();
            var buffers = new NativeBuffer[_programs.Length];
            try
            {
                for (var i = 0; i < _programs.Length; i++)
                {
                    buffers[i] = NativeBuffer.Allocate((nuint)logSize);
                    buffers[i].Pointer[0] = 0;
                    LibBpf.bpf_program__set_log_buf(_programs[i].Native, buffers[i].Pointer, (nuint)logSize);
                    LibBpf.bpf_program__set_log_level(_programs[i].Native, 0);
                }

                int result;
                string libbpfLog;
                using (var capture = LibBpfLog.Begin())
                {
                    result = LibBpf.bpf_object__load(obj);
                    libbpfLog = capture.Text;
                }
                if (result == 0) return;

                var errno = -result;
                var failed = FindFailedProgram(buffers, libbpfLog, out var verifierLog);
                if (errno == Errno.ENOSPC && verifierLog.Length > 0 && logSize < MaxLogBufferSize && _elf is not null)
                {
                    logSize = (int)Math.Min(4L * logSize, MaxLogBufferSize);
                    Reopen();
                    continue;
                }
                throw BpfErrors.LoadFailure(Name, errno, failed, verifierLog, libbpfLog, Privileges.Current(),
                    DetectUnsupportedFeature(errno, failed, verifierLog, libbpfLog));
            }
            finally
            {
                // libbpf keeps the pointer but only reads it during bpf_object__load.
                foreach (var buffer in buffers) buffer?.Dispose();
            }
        }
    }

    /// <summary>
    /// Asks the kernel whether the failure is a missing feature: a map whose creation failed (libbpf:
    /// "map 'x': failed to create") or a program rejected without a verifier log is checked with libbpf's
    /// feature probes (<c>libbpf_probe_bpf_map_type</c> / <c>libbpf_probe_bpf_prog_type</c>, which create a
    /// minimal map or program of that type); EOPNOTSUPP/ENOTSUPP are unsupported by definition.
    /// </summary>
    private unsafe string? DetectUnsupportedFeature(int errno, string? failedProgram, string verifierLog, string libbpfLog)
    {
        if (FailedMapPattern().Match(libbpfLog) is { Success: true } failedMap &&
            _maps.FirstOrDefault(m => m.Name == failedMap.Groups[1].Value) is { } map)
        {
            var probe = LibBpf.libbpf_probe_bpf_map_type((int)map.Type, null);
            // 0: the kernel lacks it; -EOPNOTSUPP: libbpf does not even know how to probe it (a type newer than libbpf, or none at all).
            if (probe == 0 || probe == -Errno.EOPNOTSUPP)
                return $"map '{map.Name}' has type {(Enum.IsDefined(map.Type) ? $"{map.Type} ({(int)map.Type})" : ((int)map.Type).ToString(System.Globalization.CultureInfo.InvariantCulture))}, which this kernel does not support";
        }
        if (failedProgram is not null && string.IsNullOrWhiteSpace(verifierLog) &&
            _programs.FirstOrDefault(p => p.Name == failedProgram) is { } program)
        {
            var type = LibBpf.bpf_program__type(program.Native);
            var probe = LibBpf.libbpf_probe_bpf_prog_type(type, null);
            if (probe == 0 || probe == -Errno.EOPNOTSUPP)
                return $"program '{program.Name}' (section '{program.SectionName}') has program type {type}, which this kernel does not support";
        }
        if (errno is Errno.EOPNOTSUPP or Errno.ENOTSUPP)
            return "the kernel does not support an operation the object needs (libbpf's messages below say which)";
        return null;
    }

    /// <summary>The program whose load failed: the one with a verifier log, else the one libbpf names.</summary>
    private string? FindFailedProgram(NativeBuffer[] logBuffers, string libbpfLog, out string verifierLog)
    {
        for (var i = 0; i < _programs.Length; i++)
        {
            var log = logBuffers[i].ReadUtf8();
            if (log.Length > 0)
            {
                verifierLog = log;
                return _programs[i].Name;
            }
        }
        verifierLog = "";
        // libbpf: "prog '%s': BPF program load failed: %s" / "prog '%s': failed to load: %d".
        var match = FailedProgramPattern().Match(libbpfLog);
        return match.Success ? match.Groups[1].Value : null;
    }

    private unsafe void Reopen()
    {
        var fresh = OpenNative(_elf!, Name);
        LoadRetries++;
        // Same ELF, same order: rebind the managed views to the new native programs and maps.
        var obj = fresh.DangerousGetHandle();
        var programs = EnumeratePrograms(obj).ToArray();
        var maps = EnumerateMaps(obj).ToArray();
        for (var i = 0; i < _maps.Length; i++)
        {
            // Keep what the caller set through GetGlobals before Load (e.g. .rodata configuration): the fresh
            // object starts again from the ELF's initial values.
            nuint oldSize, newSize;
            var oldImage = LibBpf.bpf_map__initial_value(_maps[i].Native, &oldSize);
            var newImage = LibBpf.bpf_map__initial_value(maps[i], &newSize);
            if (oldImage is not null && newImage is not null && oldSize == newSize)
                Buffer.MemoryCopy(oldImage, newImage, newSize, oldSize);
            _maps[i].Native = maps[i];
        }
        for (var i = 0; i < _programs.Length; i++) _programs[i].Native = programs[i];
        _handle.Dispose();
        _handle = fresh;
    }

    /// <summary>
    /// libbpf 1.1 does not upload <c>.bss</c> images (<c>bpf_object__populate_internal_map</c> skips them
    /// because the kernel zero-fills new maps), so values written through <see cref="GetGlobals{T}"/> before
    /// load would be lost: write any non-zero image into the map now, before a program can run.
    /// </summary>
    private unsafe void UploadBssImages()
    {
        foreach (var map in _maps)
        {
            if (!map.IsInternal || !SectionOf(map.Name).StartsWith(".bss", StringComparison.Ordinal)) continue;
            nuint size;
            var image = (byte*)LibBpf.bpf_map__initial_value(map.Native, &size);
            if (image is null || size != map.ValueSize || new ReadOnlySpan<byte>(image, (int)size).IndexOfAnyExcept((byte)0) < 0) continue;
            var key = 0u;
            var result = LibBpf.bpf_map_update_elem(map.RawFd, &key, image, 0);
            if (result != 0)
                throw new BpfLoadException($"Loading BPF object '{Name}' failed: writing the initial values of '{map.Name}' failed ({Errno.Describe(-result)}).", null, "", -result);
        }
    }

    /// <summary>The map of section <paramref name="section"/>: libbpf names it "&lt;object-name-prefix&gt;.rodata", or exactly ".data.custom" for custom sections.</summary>
    private BpfMap? FindSectionMap(string section)
    {
        foreach (var map in _maps)
            if (map.IsInternal && SectionOf(map.Name) == section) return map;
        return null;
    }

    /// <summary>"counter.rodata" → ".rodata"; ".data.custom" → ".data.custom" (libbpf's <c>internal_map_name</c>).</summary>
    private static string SectionOf(string mapName)
    {
        var dot = mapName.IndexOf('.');
        return dot < 0 ? mapName : mapName[dot..];
    }

    private static List<nint> EnumeratePrograms(nint obj)
    {
        var list = new List<nint>();
        for (var p = LibBpf.bpf_object__next_program(obj, 0); p != 0; p = LibBpf.bpf_object__next_program(obj, p)) list.Add(p);
        return list;
    }

    private static List<nint> EnumerateMaps(nint obj)
    {
        var list = new List<nint>();
        for (var m = LibBpf.bpf_object__next_map(obj, 0); m != 0; m = LibBpf.bpf_object__next_map(obj, m)) list.Add(m);
        return list;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static string NameList(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list.Select(n => $"'{n}'"));
    }

    /// <summary>"Contoso.Probes.counter.bpf.o" → "counter": short, since libbpf keeps 15 characters.</summary>
    private static string ObjectNameFromResource(string resourceName)
    {
        var name = resourceName;
        foreach (var suffix in (string[])[".bpf.o", ".o"])
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                name = name[..^suffix.Length];
                break;
            }
        var dot = name.LastIndexOf('.');
        return dot >= 0 && dot < name.Length - 1 ? name[(dot + 1)..] : name;
    }

    [GeneratedRegex(@"prog '([^']+)': (?:BPF program load failed|failed to load)")]
    private static partial Regex FailedProgramPattern();

    /// <summary>libbpf's <c>bpf_object__create_maps</c>: "map '%s': failed to create: %s(%d)".</summary>
    [GeneratedRegex(@"map '([^']+)': failed to create")]
    private static partial Regex FailedMapPattern();
}
