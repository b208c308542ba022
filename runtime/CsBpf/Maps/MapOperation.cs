namespace CsBpf;

/// <summary>The map operations the compiler lowers to helper calls.</summary>
public enum MapOperation
{
    /// <summary><c>bpf_map_lookup_elem</c>, returning a reference to the value or a null reference.</summary>
    LookupRef,
    /// <summary><c>bpf_map_lookup_elem</c>, copying the value out if present.</summary>
    TryGetValue,
    /// <summary><c>bpf_map_update_elem</c>.</summary>
    Update,
    /// <summary><c>bpf_map_delete_elem</c>.</summary>
    Delete,
}

/// <summary>Marks a map method the compiler lowers to a map helper.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class MapIntrinsicAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public MapIntrinsicAttribute(MapOperation operation) => Operation = operation;

    /// <summary>The operation.</summary>
    public MapOperation Operation { get; }
}
