using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// The libbpf 1.x entry points CsBpf uses (declared in <c>/usr/include/bpf/libbpf.h</c> and <c>bpf.h</c>).
/// Conventions of libbpf 1.0 mode (the only mode in 1.x): <c>int</c>-returning functions return a negative
/// errno on failure; pointer-returning functions return NULL and set <c>errno</c>, hence
/// <c>SetLastError = true</c> on those imports.
/// </summary>
internal static unsafe partial class LibBpf
{
    /// <summary>The soname resolved by <see cref="LibBpfResolver"/>.</summary>
    public const string LibraryName = "libbpf.so.1";

    /// <summary>The major version CsBpf is written against (libbpf 1.0 semantics: negative errno returns).</summary>
    public const uint RequiredMajorVersion = 1;

    private static readonly object s_initGate = new();
    private static bool s_initialized;

    // The resolver must be registered before the first P/Invoke of this class binds; a static constructor of
    // the class that declares the imports runs before any of them.
    static LibBpf() => LibBpfResolver.Register();

    /// <summary>
    /// Loads libbpf, checks that it is 1.x and routes its log output to <see cref="LibBpfLog"/>. Throws
    /// <see cref="BpfNativeLibraryException"/> when the library is missing or has the wrong version.
    /// </summary>
    public static void EnsureInitialized()
    {
        if (Volatile.Read(ref s_initialized)) return;
        lock (s_initGate)
        {
            if (s_initialized) return;
            LibBpfResolver.LoadLibrary();
            uint major, minor;
            try
            {
                major = libbpf_major_version();
                minor = libbpf_minor_version();
            }
            catch (EntryPointNotFoundException e)
            {
                // libbpf_major_version appeared in libbpf 0.6: a library without it is far too old.
                throw new BpfNativeLibraryException(
                    $"The libbpf loaded from {LibBpfResolver.Describe()} is older than 0.6 (it has no libbpf_major_version): " +
                    "CsBpf needs libbpf 1.x: install Debian package libbpf1 (apt-get install libbpf1) or set CSBPF_LIBBPF to its path", e);
            }
            LibBpfResolver.ValidateVersion(major, minor, LibBpfResolver.Describe());
            libbpf_set_print(&LibBpfLog.Print);
            Volatile.Write(ref s_initialized, true);
        }
    }

    // ---- library -------------------------------------------------------------------------------------------

    [LibraryImport(LibraryName, EntryPoint = "libbpf_major_version")]
    internal static partial uint libbpf_major_version();

    [LibraryImport(LibraryName, EntryPoint = "libbpf_minor_version")]
    internal static partial uint libbpf_minor_version();

    /// <summary>Installs the print callback; returns the previous one.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libbpf_set_print")]
    internal static partial nint libbpf_set_print(delegate* unmanaged[Cdecl]<int, byte*, nint, int> fn);

    /// <summary>Describes both errno values and libbpf's own 4000-range codes.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libbpf_strerror")]
    internal static partial int libbpf_strerror(int err, byte* buf, nuint size);

    [LibraryImport(LibraryName, EntryPoint = "libbpf_num_possible_cpus")]
    internal static partial int libbpf_num_possible_cpus();

    // ---- bpf_object ----------------------------------------------------------------------------------------

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    internal static partial nint bpf_object__open_mem(void* objBuf, nuint objBufSize, BpfObjectOpenOpts* opts);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__load")]
    internal static partial int bpf_object__load(nint obj);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__close")]
    internal static partial void bpf_object__close(nint obj);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__next_program")]
    internal static partial nint bpf_object__next_program(nint obj, nint prog);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__next_map")]
    internal static partial nint bpf_object__next_map(nint obj, nint map);

    // ---- bpf_program ---------------------------------------------------------------------------------------

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__name")]
    internal static partial byte* bpf_program__name(nint prog);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__section_name")]
    internal static partial byte* bpf_program__section_name(nint prog);

    /// <summary>C <c>bool</c>: one byte, nonzero when the program is loaded by <c>bpf_object__load</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__autoload")]
    internal static partial byte bpf_program__autoload(nint prog);

    /// <summary><c>enum bpf_prog_type</c> of the program (from its section name or <c>bpf_program__set_type</c>).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__type")]
    internal static partial int bpf_program__type(nint prog);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__fd")]
    internal static partial int bpf_program__fd(nint prog);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__set_log_buf")]
    internal static partial int bpf_program__set_log_buf(nint prog, byte* logBuf, nuint logSize);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__set_log_level")]
    internal static partial int bpf_program__set_log_level(nint prog, uint logLevel);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach", SetLastError = true)]
    internal static partial nint bpf_program__attach(nint prog);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_tracepoint", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_program__attach_tracepoint(nint prog, string category, string name);

    /// <summary>Attaches to the cgroup open as <paramref name="cgroupFd"/> (a BPF link; the program's attach type says which hook).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_cgroup", SetLastError = true)]
    internal static partial nint bpf_program__attach_cgroup(nint prog, int cgroupFd);

    /// <summary>Attaches an XDP program to interface <paramref name="ifindex"/> through a BPF link (Linux 5.9+).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_xdp", SetLastError = true)]
    internal static partial nint bpf_program__attach_xdp(nint prog, int ifindex);

    // ---- bpf_link ------------------------------------------------------------------------------------------

    [LibraryImport(LibraryName, EntryPoint = "bpf_link__fd")]
    internal static partial int bpf_link__fd(nint link);

    [LibraryImport(LibraryName, EntryPoint = "bpf_link__destroy")]
    internal static partial int bpf_link__destroy(nint link);

    // ---- bpf_map (libbpf's view, valid before and after load) ----------------------------------------------

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__name")]
    internal static partial byte* bpf_map__name(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__fd")]
    internal static partial int bpf_map__fd(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__type")]
    internal static partial int bpf_map__type(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__key_size")]
    internal static partial uint bpf_map__key_size(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__value_size")]
    internal static partial uint bpf_map__value_size(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__max_entries")]
    internal static partial uint bpf_map__max_entries(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__map_flags")]
    internal static partial uint bpf_map__map_flags(nint map);

    /// <summary>C <c>bool</c>: nonzero for libbpf's own maps (<c>.data</c>, <c>.rodata</c>, <c>.bss</c>, <c>.kconfig</c>).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map__is_internal")]
    internal static partial byte bpf_map__is_internal(nint map);

    /// <summary>
    /// The image libbpf uploads into the map at load (for the global-data maps: the section's initial bytes), and
    /// its size. libbpf owns the memory until <c>bpf_object__close</c>; writes before load change what is loaded.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map__initial_value")]
    internal static partial void* bpf_map__initial_value(nint map, nuint* size);

    // ---- raw map syscalls on an fd (bpf.h); each returns 0 or -errno ---------------------------------------

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_lookup_elem")]
    internal static partial int bpf_map_lookup_elem(int fd, void* key, void* value);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_update_elem")]
    internal static partial int bpf_map_update_elem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_delete_elem")]
    internal static partial int bpf_map_delete_elem(int fd, void* key);

    /// <summary><paramref name="key"/> NULL returns the first key; ENOENT after the last one.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map_get_next_key")]
    internal static partial int bpf_map_get_next_key(int fd, void* key, void* nextKey);

    /// <summary>Batch calls (Linux 5.6+): <paramref name="count"/> is in/out; -ENOENT means the walk reached the end (count is still valid).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map_lookup_batch")]
    internal static partial int bpf_map_lookup_batch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_lookup_and_delete_batch")]
    internal static partial int bpf_map_lookup_and_delete_batch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_update_batch")]
    internal static partial int bpf_map_update_batch(int fd, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_delete_batch")]
    internal static partial int bpf_map_delete_batch(int fd, void* keys, uint* count, BpfMapBatchOpts* opts);

    // ---- bpffs and object info -----------------------------------------------------------------------------

    /// <summary>Pins the object behind <paramref name="fd"/> at <paramref name="path"/> (on a bpffs); 0 or -errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_obj_pin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_obj_pin(int fd, string path);

    /// <summary>Opens a pinned object; a new fd (owned by the caller) or -errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_obj_get(string path);

    /// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c>; <paramref name="infoLength"/> is in/out. 0 or -errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_obj_get_info_by_fd")]
    internal static partial int bpf_obj_get_info_by_fd(int fd, void* info, uint* infoLength);

    // ---- program test runs and feature probes ----------------------------------------------------------------

    /// <summary><c>BPF_PROG_TEST_RUN</c>; 0 or -errno. Outputs (retval, duration, sizes) are written into <paramref name="opts"/>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_prog_test_run_opts")]
    internal static partial int bpf_prog_test_run_opts(int progFd, BpfTestRunOpts* opts);

    /// <summary>1 when the kernel supports the map type, 0 when not, -errno when the probe failed.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libbpf_probe_bpf_map_type")]
    internal static partial int libbpf_probe_bpf_map_type(int mapType, void* opts);

    /// <summary>1 when the kernel supports the program type, 0 when not, -errno when the probe failed.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libbpf_probe_bpf_prog_type")]
    internal static partial int libbpf_probe_bpf_prog_type(int programType, void* opts);

    /// <summary><c>bpf_program__name</c> as a string.</summary>
    internal static string ProgramName(nint prog) => ReadString(bpf_program__name(prog));

    /// <summary><c>bpf_program__section_name</c> as a string.</summary>
    internal static string ProgramSectionName(nint prog) => ReadString(bpf_program__section_name(prog));

    /// <summary><c>bpf_map__name</c> as a string.</summary>
    internal static string MapName(nint map) => ReadString(bpf_map__name(map));

    /// <summary>Reads a NUL-terminated UTF-8 string owned by libbpf.</summary>
    private static string ReadString(byte* s) => s is null ? "" : Marshal.PtrToStringUTF8((nint)s) ?? "";
}
