using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Frontend;

/// <summary>A <c>[BpfProgram]</c> class: what becomes one BPF object.</summary>
internal sealed record BpfClassModel(
    INamedTypeSymbol Class,
    string FullName,
    string License,
    IReadOnlyList<MapModel> Maps,
    IReadOnlyList<ProgramModel> Programs,
    IReadOnlyList<GlobalModel> Globals);

/// <summary>
/// A static field that is neither a map nor a constant: a BPF global variable. <c>static readonly</c> fields
/// go to <c>.rodata</c> (settable by the host before load, then frozen: the verifier sees their values),
/// mutable ones to <c>.data</c> when they have a non-zero initial value and to <c>.bss</c> otherwise.
/// </summary>
internal sealed record GlobalModel(IFieldSymbol Field, string Section, object? InitialValue);

/// <summary>
/// A <c>[Map]</c> field: a BTF-defined map in <c>.maps</c> (or, as <see cref="Inner"/>, the inner map template of
/// a map of maps, located at the outer field). A null key or value type has no <c>key</c>/<c>value</c> member
/// (queue, stack, ring buffer); a <see cref="MaxEntries"/> of 0 leaves <c>max_entries</c> to libbpf.
/// </summary>
internal sealed record MapModel(IFieldSymbol Field, int MapType, ITypeSymbol? KeyType, ITypeSymbol? ValueType, long MaxEntries)
{
    /// <summary><c>map_flags</c> (<c>BPF_F_*</c>), including the ones the type requires.</summary>
    public uint Flags { get; init; }

    /// <summary><c>numa_node</c>, or -1 for none.</summary>
    public int NumaNode { get; init; } = -1;

    /// <summary><c>pinning</c> (<c>LIBBPF_PIN_*</c>).</summary>
    public int Pinning { get; init; }

    /// <summary>When positive, the value is an array of this many <see cref="ValueType"/> (stack trace maps).</summary>
    public int ValueArrayLength { get; init; }

    /// <summary>The inner map template of a map of maps (the <c>values</c> member).</summary>
    public MapModel? Inner { get; init; }
}

/// <summary>A program entry point: a method with a program-type attribute.</summary>
internal sealed record ProgramModel(IMethodSymbol Method, string Section, ProgramKind Kind)
{
    /// <summary>True when the method itself is the entry point (it takes the context); false when an entry
    /// wrapper reads its parameters from the context.</summary>
    public bool IsDirectEntry => Kind is ProgramKind.Tracepoint or ProgramKind.Syscall or ProgramKind.Network or ProgramKind.Context or ProgramKind.TracepointRecord;
}

/// <summary>Program kinds, by how the method's parameters come from the BPF context.</summary>
internal enum ProgramKind
{
    /// <summary>The method takes the context itself (<c>TracepointContext</c>).</summary>
    Tracepoint,
    /// <summary>The method takes the context as <c>ref T</c> (syscall programs).</summary>
    Syscall,
    /// <summary>Parameters are function arguments read from <c>struct pt_regs</c>.</summary>
    Kprobe,
    /// <summary>The optional parameter is the return value, from <c>pt_regs</c>' rax.</summary>
    Kretprobe,
    /// <summary>Parameters are the 64-bit slots of a tracing context (fentry, fexit, LSM, raw tracepoints).</summary>
    Tracing,
    /// <summary>The method takes a network program's context (<c>XdpContext</c>, <c>SkBuffContext</c>,
    /// <c>SockAddrContext</c>) and returns its verdict (ProgramDiscovery.Network.cs).</summary>
    Network,
    /// <summary>The method takes a context struct (<c>PtRegs</c>, <c>RawTracepointContext</c>,
    /// <c>PerfEventContext</c>) whose <c>[ContextField]</c> properties are loads from the context.</summary>
    Context,
    /// <summary>A tracepoint whose method takes the event's record as <c>ref readonly T</c>: field reads are
    /// loads at constant offsets of the context.</summary>
    TracepointRecord,
    /// <summary>A USDT probe: each parameter is decoded from the probe's argument spec (UsdtSupport).</summary>
    Usdt,
}
