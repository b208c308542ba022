using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

// BTF of an opened object (libbpf's btf.h): finding global variables in their DATASEC by name.
internal static unsafe partial class LibBpf
{
    /// <summary><c>BTF_KIND_VAR</c>.</summary>
    public const int BtfKindVar = 14;

    /// <summary><c>BTF_KIND_DATASEC</c>.</summary>
    public const int BtfKindDatasec = 15;

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__btf")]
    internal static partial nint bpf_object__btf(nint obj);

    [LibraryImport(LibraryName, EntryPoint = "btf__type_cnt")]
    internal static partial uint btf__type_cnt(nint btf);

    /// <summary>Returns <c>const struct btf_type *</c>: <c>{ u32 name_off; u32 info; u32 size_or_type; }</c> followed by kind-specific data.</summary>
    [LibraryImport(LibraryName, EntryPoint = "btf__type_by_id")]
    internal static partial uint* btf__type_by_id(nint btf, uint id);

    [LibraryImport(LibraryName, EntryPoint = "btf__name_by_offset")]
    internal static partial byte* btf__name_by_offset(nint btf, uint offset);
}
