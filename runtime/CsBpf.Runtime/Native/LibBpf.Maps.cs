using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

// The libbpf entry points of the map kinds beyond hash and array: keyless pops, map creation (inner maps), ids,
// pin paths.
internal static unsafe partial class LibBpf
{
    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>: for queue and stack maps (<paramref name="key"/> NULL) a pop; 0 or -errno (-ENOENT when empty).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map_lookup_and_delete_elem")]
    internal static partial int bpf_map_lookup_and_delete_elem(int fd, void* key, void* value);

    /// <summary><c>BPF_MAP_CREATE</c>: a new map's fd (owned by the caller) or -errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_map_create(int mapType, string? name, uint keySize, uint valueSize, uint maxEntries, BpfMapCreateOpts* opts);

    /// <summary><c>BPF_MAP_GET_FD_BY_ID</c>: an fd (owned by the caller) of the map with this id, or -errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map_get_fd_by_id")]
    internal static partial int bpf_map_get_fd_by_id(uint id);

    /// <summary>Sets where libbpf pins (or finds the pin of) the map at load; NULL clears it. 0 or -errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map__set_pin_path", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_map__set_pin_path(nint map, string? path);

    /// <summary>The pin path libbpf uses for the map (set by <c>LIBBPF_PIN_BY_NAME</c> or <c>bpf_map__set_pin_path</c>), or NULL.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map__pin_path")]
    internal static partial byte* bpf_map__pin_path(nint map);

    /// <summary>C <c>bool</c>: nonzero when libbpf pinned the map (or reused a pinned one) at load.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_map__is_pinned")]
    internal static partial byte bpf_map__is_pinned(nint map);
}
