namespace CsBpf;

/// <summary>
/// A tracepoint record's <c>__data_loc</c> field (a dynamic array such as <c>__data_loc char[] filename</c>):
/// where its bytes are in the record. Read a string with
/// <c>Bpf.ProbeReadKernelStr(out buffer, Bpf.AddressOf(in record) + location.Offset)</c>.
/// </summary>
public struct DataLocation
{
    /// <summary>The byte offset of the data from the start of the record (the low 16 bits of the field).</summary>
    public ushort Offset;

    /// <summary>The data's length in bytes, a string's NUL included (the high 16 bits).</summary>
    public ushort Length;
}
