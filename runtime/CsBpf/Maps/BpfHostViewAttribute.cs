namespace CsBpf;

/// <summary>
/// Names the host-side view of a program-side map class, for the generated loader: a <c>[Map]</c> field of the
/// class becomes a skeleton property of type <see cref="TypeName"/>, obtained with
/// <c>BpfObject.<see cref="Accessor"/>(name)</c>. The program side does not reference the host runtime, so
/// the names are strings.
/// </summary>
/// <remarks>
/// <see cref="TypeName"/> is a metadata name with its generic arity, e.g. <c>CsBpf.Runtime.BpfHashMap`2</c>:
/// a generic view (and its accessor) gets the map class's first N type arguments in order
/// (<c>HashMap&lt;uint, ulong&gt;</c> → <c>BpfHashMap&lt;uint, ulong&gt;</c>, <c>GetHashMap&lt;uint, ulong&gt;("name")</c>);
/// a non-generic one (<c>CsBpf.Runtime.BpfRingBuffer</c>) gets none (<c>GetRingBuffer("name")</c>).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfHostViewAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="typeName">The host type's metadata name, e.g. <c>CsBpf.Runtime.BpfHashMap`2</c>.</param>
    /// <param name="accessor">The <c>BpfObject</c> method returning it, e.g. <c>GetHashMap</c>.</param>
    public BpfHostViewAttribute(string typeName, string accessor)
    {
        TypeName = typeName;
        Accessor = accessor;
    }

    /// <summary>The host type's metadata name with its arity suffix when generic.</summary>
    public string TypeName { get; }

    /// <summary>The <c>BpfObject</c> method that returns the view.</summary>
    public string Accessor { get; }
}
