namespace CsBpf;

/// <summary>How libbpf pins a map (<c>__uint(pinning, ...)</c> in a BTF map definition).</summary>
public enum MapPinning
{
    /// <summary><c>LIBBPF_PIN_NONE</c>: the map lives as long as the object (or whoever holds its fd).</summary>
    None = 0,
    /// <summary>
    /// <c>LIBBPF_PIN_BY_NAME</c>: at load libbpf reuses the map pinned at <c>&lt;pin root&gt;/&lt;map name&gt;</c>
    /// (default root <c>/sys/fs/bpf</c>) if its type, sizes and flags match, and otherwise creates the map and
    /// pins it there, so objects loaded later (and other processes) share it.
    /// </summary>
    ByName = 1,
}
