namespace CsBpf;

/// <summary>
/// Tells the compiler which kernel map type a program-side map class stands for. Its generic
/// arguments give the BTF key and value types.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfMapKindAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public BpfMapKindAttribute(BpfMapType type) => Type = type;

    /// <summary>The kernel map type.</summary>
    public BpfMapType Type { get; }
}
