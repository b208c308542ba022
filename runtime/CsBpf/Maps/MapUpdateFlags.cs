namespace CsBpf;

/// <summary>Flags of <c>bpf_map_update_elem</c> (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c>, <c>BPF_EXIST</c>).</summary>
public enum MapUpdateFlags : ulong
{
    /// <summary>Create a new element or update an existing one.</summary>
    Any = 0,
    /// <summary>Create a new element only if it does not exist.</summary>
    NoExist = 1,
    /// <summary>Update an existing element only.</summary>
    Exist = 2,
}
