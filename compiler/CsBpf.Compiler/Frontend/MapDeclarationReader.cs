using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Frontend;

/// <summary>
/// Reads a <c>[Map]</c> field into a <see cref="MapModel"/>: the map type from the class's
/// <c>[BpfMapKind]</c>, key and value types from its type arguments, sizes from the constant constructor
/// arguments (<c>maxEntries</c>, <c>sizeBytes</c>, <c>maxDepth</c>, the <c>inner</c> template of a map of maps)
/// and flags, NUMA node and pinning from the attribute. Declarations the kernel or libbpf would refuse are
/// reported here (CSBPF1005, CSBPF1150–CSBPF1155) instead of at load time. Checks that need type layouts
/// (sizes, alignment) are made when the map is emitted (ModuleLowering.Maps).
/// </summary>
internal sealed class MapDeclarationReader(CSharpCompilation compilation, List<Diagnostic> diagnostics)
{
    // enum bpf_map_type (include/uapi/linux/bpf.h).
    internal const int Hash = 1, Array = 2, ProgArray = 3, PerfEventArray = 4, PerCpuHash = 5, PerCpuArray = 6, StackTrace = 7,
        LruHash = 9, LruPerCpuHash = 10, LpmTrie = 11, ArrayOfMaps = 12, HashOfMaps = 13, Queue = 22, Stack = 23, RingBuf = 27;

    // BPF_F_* map flags.
    internal const uint NoPrealloc = 1u << 0, NoCommonLru = 1u << 1, NumaNodeFlag = 1u << 2, ReadOnly = 1u << 3, WriteOnly = 1u << 4,
        StackBuildId = 1u << 5, ZeroSeed = 1u << 6, ReadOnlyProg = 1u << 7, WriteOnlyProg = 1u << 8, Mmapable = 1u << 10,
        PreserveElems = 1u << 11, InnerMapFlag = 1u << 12;

    private const uint Access = ReadOnly | WriteOnly | ReadOnlyProg | WriteOnlyProg;

    public MapModel? Read(IFieldSymbol field)
    {
        Location? at = field.Locations.FirstOrDefault();
        if (!field.IsStatic || !field.IsReadOnly)
        {
            Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name, "a map field must be 'static readonly'");
            return null;
        }
        IObjectCreationOperation? creation = Initializer(field);
        MapModel? map = ReadShape(field, field.Type, creation, at, inner: false);
        if (map is null) return null;
        return ReadOptions(field, map, at);
    }

    /// <summary>The map type, key, value and sizes of a map class instance created by <paramref name="creation"/>.</summary>
    private MapModel? ReadShape(IFieldSymbol field, ITypeSymbol type, IObjectCreationOperation? creation, Location? at, bool inner)
    {
        if (type is not INamedTypeSymbol mapType || MapTypeOf(mapType) is not int typeId)
        {
            Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name,
                $"'{type}' is not a BPF map type (use a map class of CsBpf such as HashMap<TKey, TValue>, ArrayMap<T> or RingBuffer)");
            return null;
        }
        ITypeSymbol uint32 = compilation.GetSpecialType(SpecialType.System_UInt32);
        ITypeSymbol uint64 = compilation.GetSpecialType(SpecialType.System_UInt64);
        var args = mapType.TypeArguments;
        string what = inner ? $"the inner map '{mapType}'" : $"'{mapType}'";

        long? maxEntries = Constant(creation, "maxEntries");
        bool RequireMaxEntries()
        {
            if (maxEntries is > 0 and <= uint.MaxValue) return true;
            Report(BpfDiagnostics.InvalidMapMaxEntries, at, field.Name,
                $"{what} must be created with 'new(maxEntries: N)' where N is a constant between 1 and 4294967295" +
                (maxEntries is null ? " (the size is part of the object, so it cannot be computed at run time)" : $", not {maxEntries}"));
            return false;
        }

        switch (typeId)
        {
            case Hash or LruHash or PerCpuHash or LruPerCpuHash when args.Length == 2:
                return RequireMaxEntries() ? new MapModel(field, typeId, args[0], args[1], maxEntries!.Value) : null;
            case Array or PerCpuArray when args.Length == 1:
                return RequireMaxEntries() ? new MapModel(field, typeId, uint32, args[0], maxEntries!.Value) : null;
            case LpmTrie when args.Length == 2:
                {
                    INamedTypeSymbol? lpmKey = compilation.GetTypeByMetadataName("CsBpf.LpmKey`1");
                    if (lpmKey is null || !RequireMaxEntries()) return null;
                    // The kernel refuses LPM tries without BPF_F_NO_PREALLOC (trie_alloc): always set it.
                    return new MapModel(field, typeId, lpmKey.Construct(args[0]), args[1], maxEntries!.Value) { Flags = NoPrealloc };
                }
            case Queue or Stack when args.Length == 1:
                return RequireMaxEntries() ? new MapModel(field, typeId, null, args[0], maxEntries!.Value) : null;
            case ProgArray when args.Length == 0:
                return RequireMaxEntries() ? new MapModel(field, typeId, uint32, uint32, maxEntries!.Value) : null;
            case PerfEventArray when args.Length == 0:
                {
                    // 0 (the default): libbpf sizes it to the number of possible CPUs.
                    long entries = maxEntries ?? -1;
                    if (entries is < 0 or > uint.MaxValue)
                    {
                        Report(BpfDiagnostics.InvalidMapMaxEntries, at, field.Name,
                            $"{what} must be created with 'new()' (one slot per CPU) or 'new(maxEntries: N)' with N a constant between 0 and 4294967295");
                        return null;
                    }
                    return new MapModel(field, typeId, uint32, uint32, entries);
                }
            case StackTrace when args.Length == 0:
                {
                    if (!RequireMaxEntries()) return null;
                    long depth = Constant(creation, "maxDepth") ?? -1;
                    // The value is depth 64-bit addresses; the kernel caps a walk at sysctl kernel.perf_event_max_stack (127).
                    if (depth is < 1 or > 127)
                    {
                        Report(BpfDiagnostics.InvalidMapMaxEntries, at, field.Name,
                            $"{what} must have a constant maxDepth between 1 and 127 (PERF_MAX_STACK_DEPTH), not {(depth < 0 ? "a computed value" : depth)}");
                        return null;
                    }
                    return new MapModel(field, typeId, uint32, uint64, maxEntries!.Value) { ValueArrayLength = (int)depth };
                }
            case RingBuf when args.Length == 0:
                {
                    long size = Constant(creation, "sizeBytes") ?? -1;
                    // ringbuf_map_alloc: max_entries must be a power of two and page-aligned.
                    if (size < 4096 || size > 1L << 31 || (size & (size - 1)) != 0)
                    {
                        Report(BpfDiagnostics.InvalidRingBufferSize, at, field.Name, size < 0 ? "not a constant" : size.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        return null;
                    }
                    return new MapModel(field, typeId, null, null, size);
                }
            case ArrayOfMaps or HashOfMaps when (typeId == ArrayOfMaps ? 1 : 2) == args.Length:
                {
                    if (inner)
                    {
                        Report(BpfDiagnostics.InvalidInnerMap, at, field.Name, "an inner map cannot itself be a map of maps (the kernel supports one level)");
                        return null;
                    }
                    if (!RequireMaxEntries()) return null;
                    ITypeSymbol innerType = args[^1];
                    if (innerType is not INamedTypeSymbol innerNamed || MapTypeOf(innerNamed) is null)
                    {
                        Report(BpfDiagnostics.InvalidInnerMap, at, field.Name, $"'{innerType}' is not a BPF map type");
                        return null;
                    }
                    IOperation? innerArg = Argument(creation, "inner");
                    while (innerArg is IConversionOperation c) innerArg = c.Operand;
                    if (innerArg is not IObjectCreationOperation innerCreation)
                    {
                        Report(BpfDiagnostics.InvalidInnerMap, at, field.Name,
                            $"declare the inner map template in the initializer, e.g. 'new(maxEntries: 16, inner: new {innerType}(maxEntries: 1024))', so its shape is known at compile time");
                        return null;
                    }
                    MapModel? innerMap = ReadShape(field, innerType, innerCreation, at, inner: true);
                    if (innerMap is null) return null;
                    if (innerMap.MapType is ProgArray)
                    {
                        Report(BpfDiagnostics.InvalidInnerMap, at, field.Name, "a program array cannot be an inner map");
                        return null;
                    }
                    if (innerMap.MapType is PerfEventArray && innerMap.MaxEntries == 0)
                    {
                        Report(BpfDiagnostics.InvalidInnerMap, at, field.Name, "an inner perf event array needs an explicit maxEntries (libbpf sizes only top-level ones)");
                        return null;
                    }
                    return new MapModel(field, typeId, typeId == ArrayOfMaps ? uint32 : args[0], null, maxEntries!.Value) { Inner = innerMap };
                }
            default:
                Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name, $"the compiler does not know how to declare {what} (map type {typeId})");
                return null;
        }
    }

    /// <summary>Flags, NUMA node and pinning from <c>[Map(...)]</c>, checked against what the map type accepts.</summary>
    private MapModel? ReadOptions(IFieldSymbol field, MapModel map, Location? at)
    {
        AttributeData? attribute = ProgramDiscovery.GetAttribute(field, WellKnownNames.MapAttribute);
        uint flags = 0;
        int numaNode = -1, pinning = 0;
        foreach (var (name, value) in attribute?.NamedArguments ?? [])
        {
            switch (name)
            {
                case "Flags": flags = Convert.ToUInt32(value.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "NumaNode": numaNode = Convert.ToInt32(value.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "Pinning": pinning = Convert.ToInt32(value.Value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        Location? where = attribute?.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? at;
        if (numaNode < -1)
        {
            Report(BpfDiagnostics.InvalidMapFlags, where, field.Name, $"NumaNode must be a node number (0 or more) or -1 for any node, not {numaNode}");
            return null;
        }
        if ((flags & NumaNodeFlag) != 0 && numaNode < 0)
        {
            Report(BpfDiagnostics.InvalidMapFlags, where, field.Name, "MapFlags.NumaNode needs a node: set NumaNode = n instead (the compiler adds the flag)");
            return null;
        }
        if (numaNode >= 0) flags |= NumaNodeFlag;
        if (pinning is not (0 or 1))
        {
            Report(BpfDiagnostics.InvalidMapFlags, where, field.Name, $"Pinning must be MapPinning.None or MapPinning.ByName, not {pinning}");
            return null;
        }
        uint allowed = AllowedFlags(map.MapType);
        if ((flags & ~allowed) is var bad and not 0)
        {
            Report(BpfDiagnostics.InvalidMapFlags, where, field.Name,
                $"{MapTypeName(map.MapType)} maps do not accept {FlagNames(bad)} (the kernel refuses them with EINVAL); allowed: {FlagNames(allowed)}");
            return null;
        }
        return map with { Flags = map.Flags | flags, NumaNode = numaNode, Pinning = pinning };
    }

    /// <summary>The flags each map type's <c>map_alloc_check</c> accepts (kernel/bpf/hashtab.c, arraymap.c, lpm_trie.c, stackmap.c, queue_stack_maps.c, ringbuf.c).</summary>
    internal static uint AllowedFlags(int mapType) => mapType switch
    {
        Hash or PerCpuHash or HashOfMaps => NoPrealloc | NumaNodeFlag | Access | ZeroSeed,
        LruHash or LruPerCpuHash => NoCommonLru | NumaNodeFlag | Access | ZeroSeed, // an LRU map is always preallocated
        Array => NumaNodeFlag | Access | Mmapable | InnerMapFlag,
        PerCpuArray => NumaNodeFlag | Access | InnerMapFlag,
        ProgArray or ArrayOfMaps => NumaNodeFlag | ReadOnly | WriteOnly | InnerMapFlag, // fd arrays: no *_PROG access flags
        PerfEventArray => NumaNodeFlag | ReadOnly | WriteOnly | PreserveElems | InnerMapFlag,
        LpmTrie => NoPrealloc | NumaNodeFlag | Access,
        StackTrace => NumaNodeFlag | ReadOnly | WriteOnly | StackBuildId,
        Queue or Stack => NumaNodeFlag | Access,
        RingBuf => NumaNodeFlag,
        _ => 0,
    };

    private static string FlagNames(uint flags)
    {
        (uint Bit, string Name)[] names =
        [
            (NoPrealloc, "NoPrealloc"), (NoCommonLru, "NoCommonLru"), (NumaNodeFlag, "NumaNode"), (ReadOnly, "ReadOnly"), (WriteOnly, "WriteOnly"),
            (StackBuildId, "StackBuildId"), (ZeroSeed, "ZeroSeed"), (ReadOnlyProg, "ReadOnlyProgram"), (WriteOnlyProg, "WriteOnlyProgram"),
            (Mmapable, "Mmapable"), (PreserveElems, "PreserveElements"), (InnerMapFlag, "InnerMap"),
        ];
        var parts = names.Where(n => (flags & n.Bit) != 0).Select(n => "MapFlags." + n.Name).ToList();
        uint unknown = flags & ~names.Aggregate(0u, (a, n) => a | n.Bit);
        if (unknown != 0) parts.Add($"0x{unknown:x}");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    internal static string MapTypeName(int mapType) => mapType switch
    {
        Hash => "hash", Array => "array", ProgArray => "program array", PerfEventArray => "perf event array", PerCpuHash => "per-CPU hash",
        PerCpuArray => "per-CPU array", StackTrace => "stack trace", LruHash => "LRU hash", LruPerCpuHash => "LRU per-CPU hash",
        LpmTrie => "LPM trie", ArrayOfMaps => "array-of-maps", HashOfMaps => "hash-of-maps", Queue => "queue", Stack => "stack",
        RingBuf => "ring buffer", _ => $"type {mapType}",
    };

    /// <summary>The kernel map type of a program-side map class (its <c>[BpfMapKind]</c>), or null.</summary>
    internal static int? MapTypeOf(ITypeSymbol type) =>
        type is INamedTypeSymbol named && ProgramDiscovery.GetAttribute(named.OriginalDefinition, WellKnownNames.BpfMapKindAttribute) is { } kind
            ? Convert.ToInt32(kind.ConstructorArguments[0].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private IObjectCreationOperation? Initializer(IFieldSymbol field)
    {
        if (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } init }) return null;
        IOperation? op = compilation.GetSemanticModel(init.SyntaxTree).GetOperation(init);
        while (op is IConversionOperation c) op = c.Operand;
        return op as IObjectCreationOperation;
    }

    private static IOperation? Argument(IObjectCreationOperation? creation, string parameter) =>
        creation?.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter)?.Value;

    private static long? Constant(IObjectCreationOperation? creation, string parameter) =>
        Argument(creation, parameter)?.ConstantValue is { HasValue: true, Value: { } v } ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] args) =>
        diagnostics.Add(Diagnostic.Create(descriptor, location ?? Location.None, args));
}
