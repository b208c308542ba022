namespace CsBpf;

/// <summary>The packet-access operations of the context types (<see cref="XdpContext"/>, <see cref="SkBuffContext"/>) that the compiler expands inline.</summary>
public enum PacketOperation
{
    /// <summary>
    /// <c>ref T GetRef&lt;T&gt;(int offset)</c>: the packet bytes at <c>data + offset</c> as a <c>T</c>, or a null
    /// reference when <c>offset</c> is negative, above 0xFFFF - sizeof(T), or <c>data + offset + sizeof(T) &gt; data_end</c>.
    /// Lowered to pointer comparisons against <c>data_end</c>, the only way the verifier learns a packet's bounds.
    /// </summary>
    GetRef,
    /// <summary><c>int Length</c>: <c>data_end - data</c>, the bytes directly accessible.</summary>
    Length,
}

/// <summary>
/// Marks a context member the compiler expands inline into packet pointer arithmetic over the context's
/// <c>data</c> and <c>data_end</c> fields (at <see cref="DataOffset"/> and <see cref="DataEndOffset"/>).
/// On the CLR the member's own body runs over the simulated packet (<see cref="PacketBuffer"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property, Inherited = false)]
public sealed class PacketIntrinsicAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public PacketIntrinsicAttribute(PacketOperation operation) => Operation = operation;

    /// <summary>The operation.</summary>
    public PacketOperation Operation { get; }

    /// <summary>The offset of the context's <c>__u32 data</c> field (0 in <c>xdp_md</c>, 76 in <c>__sk_buff</c>).</summary>
    public int DataOffset { get; set; }

    /// <summary>The offset of the context's <c>__u32 data_end</c> field (4 in <c>xdp_md</c>, 80 in <c>__sk_buff</c>).</summary>
    public int DataEndOffset { get; set; }
}
