namespace CsBpf;

/// <summary>
/// Marks a <c>static readonly</c> map field of a <see cref="BpfProgramAttribute"/> class. It becomes a
/// BTF-defined map in the object's <c>.maps</c> section, named after the field.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class MapAttribute : Attribute
{
}
