namespace CsBpf;

/// <summary>
/// Marks a property of a program context struct (an <see cref="IBpfContext"/>) as a field of the kernel's
/// context at a fixed offset, e.g. <c>struct xdp_md</c>'s <c>data</c> at 0. In BPF code, reading the property
/// loads from <c>ctx + Offset</c> and a setter stores there; every access stays <c>ctx + constant</c>, which
/// the verifier requires (it rewrites context accesses by offset). On the CLR the property's own body runs.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ContextFieldAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="offset">The byte offset of the field in the kernel's context struct.</param>
    public ContextFieldAttribute(int offset) => Offset = offset;

    /// <summary>The byte offset of the field in the kernel's context struct.</summary>
    public int Offset { get; }

    /// <summary>
    /// The size in bytes of the field in the kernel's struct when it differs from the property type's size:
    /// e.g. <c>xdp_md.data</c> is a <c>__u32</c> that the verifier turns into a packet pointer, exposed as a
    /// pointer property with <c>Size = 4</c> (the load is 4 bytes, zero-extended, as clang's
    /// <c>(void *)(long)ctx-&gt;data</c>). 0 means the property type's size.
    /// </summary>
    public int Size { get; set; }
}
