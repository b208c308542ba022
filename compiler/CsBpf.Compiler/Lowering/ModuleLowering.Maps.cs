using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// BTF-defined maps in .maps.
internal sealed partial class ModuleLowering
{
    /// <summary>
    /// A BTF-defined map, the layout libbpf reads from <c>.maps</c> (libbpf's <c>__uint</c>/<c>__type</c>/
    /// <c>__array</c> macros, parsed by <c>parse_btf_map_def</c>): a struct whose members' BTF encodes the
    /// parameters — <c>int (*type)[TYPE]</c>, <c>int (*max_entries)[N]</c>, <c>int (*map_flags)[F]</c>,
    /// <c>int (*numa_node)[NODE]</c>, <c>K *key</c>, <c>V *value</c>, <c>int (*pinning)[P]</c> and, last, for a
    /// map of maps <c>struct inner *values[]</c> with the inner map's definition.
    /// </summary>
    private void EmitMap(MapModel map)
    {
        Location at = map.Field.Locations.FirstOrDefault() ?? Location.None;
        try
        {
            if (!CheckMapTypes(map, at)) return;
        }
        catch (LoweringException e)
        {
            Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.InvalidMapKeyOrValue, at, map.Field.Name, e.Diagnostic.GetMessage()));
            return;
        }
        LMetadata file = FileFor(map.Field.DeclaringSyntaxReferences[0].SyntaxTree);
        uint line = (uint)at.GetLineSpan().StartLinePosition.Line + 1;

        (LMetadata diStruct, int pointers) = MapDefinition(map, file, line);
        LType structType = Llvm.Struct(Enumerable.Repeat(Llvm.Ptr, pointers).ToArray(), packed: false);
        LValue global = Llvm.AddGlobal(structType, map.Field.Name, ".maps", Linkage.External, 8);
        LlvmModule.SetInitializer(global, Llvm.ConstNull(structType));
        Llvm.AttachDebugInfo(global, Llvm.DiGlobalVariable(CompileUnit, map.Field.Name, file, line, diStruct, localToUnit: false));
        MapGlobals[map.Field] = global;
    }

    /// <summary>The debug type of a map definition struct and its number of pointer members (the
    /// <c>values</c> array of a map of maps is zero-sized).</summary>
    private (LMetadata Struct, int Pointers) MapDefinition(MapModel map, LMetadata file, uint line)
    {
        LMetadata intType = Llvm.DiBasicType("int", 32, DwarfEncoding.Signed);
        LMetadata Encoded(long n) => Llvm.DiPointer(Llvm.DiArray(intType, 32, n, 32));
        var members = new List<LMetadata>();
        ulong offset = 0;
        void Add(string name, LMetadata type)
        {
            members.Add(Llvm.DiMember(file, name, file, line, 64, 0, offset, type));
            offset += 64;
        }

        Add("type", Encoded(map.MapType));
        if (map.MaxEntries > 0) Add("max_entries", Encoded(map.MaxEntries));
        if (map.Flags != 0) Add("map_flags", Encoded(map.Flags));
        if (map.NumaNode >= 0) Add("numa_node", Encoded(map.NumaNode));
        if (map.KeyType is { } key) Add("key", Llvm.DiPointer(Types.DebugType(key)));
        if (map.ValueType is { } value)
        {
            LMetadata valueType = Types.DebugType(value);
            if (map.ValueArrayLength > 0)
                valueType = Llvm.DiArray(valueType, Types.TryGetLayout(value, out _)!.Size * 8, map.ValueArrayLength, 64);
            Add("value", Llvm.DiPointer(valueType));
        }
        if (map.Pinning != 0) Add("pinning", Encoded(map.Pinning));
        int pointers = members.Count;
        if (map.Inner is { } inner)
        {
            // libbpf: "values" must be the last member, a zero-sized array of pointers to the inner definition.
            LMetadata innerStruct = MapDefinition(inner, file, line).Struct;
            members.Add(Llvm.DiMember(file, "values", file, line, 0, 0, offset, Llvm.DiArray(Llvm.DiPointer(innerStruct), 64, 0, 64)));
        }
        return (Llvm.DiStruct(file, null, file, line, offset, 64, members.ToArray()), pointers);
    }

    private readonly List<(IMethodSymbol Method, MapModel Map, Location At)> _mapUses = [];

    /// <summary>Records that <paramref name="method"/> calls a method of <paramref name="map"/>, for the sleepable-program check.</summary>
    public void RecordMapUse(IMethodSymbol method, MapModel map, Location at) => _mapUses.Add((method, map, at));

    /// <summary>
    /// CSBPF0060: the verifier refuses a sleepable program (syscall programs, <c>*.s</c> sections) that uses a map
    /// type outside the list of <c>check_map_prog_compatibility</c> ("Sleepable programs can only use array, hash,
    /// ringbuf and local storage maps"), inner maps included. Each use reachable from such a program is reported.
    /// </summary>
    private void ReportSleepableMapUses()
    {
        foreach (ProgramModel program in Model.Programs)
        {
            if (!(program.Section == "syscall" || program.Section.Contains(".s/", StringComparison.Ordinal))) continue;
            var reachable = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { program.Method };
            var work = new Stack<IMethodSymbol>([program.Method]);
            while (work.TryPop(out IMethodSymbol? m))
                foreach (var (callee, _) in _calls.GetValueOrDefault(m) ?? [])
                    if (reachable.Add(callee)) work.Push(callee);
            foreach (var (method, map, at) in _mapUses)
            {
                if (!reachable.Contains(method)) continue;
                MapModel? refused = !SleepableMayUse(map.MapType) ? map : map.Inner is { } inner && !SleepableMayUse(inner.MapType) ? inner : null;
                if (refused is null) continue;
                string what = MapDeclarationReader.MapTypeName(refused.MapType) + (refused == map ? " map" : " map (as its inner map)");
                Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.MapNotAllowedInSleepableProgram, at, map.Field.Name,
                    (what.StartsWith('a') || what.StartsWith('L') ? "an " : "a ") + what, program.Method.Name, program.Section));
            }
        }
    }

    /// <summary>The map types <c>check_map_prog_compatibility</c> lets sleepable programs use (Linux 6.x).</summary>
    private static bool SleepableMayUse(int mapType) => mapType is MapDeclarationReader.Hash or MapDeclarationReader.LruHash
        or MapDeclarationReader.Array or MapDeclarationReader.PerCpuHash or MapDeclarationReader.PerCpuArray or MapDeclarationReader.LruPerCpuHash
        or MapDeclarationReader.ArrayOfMaps or MapDeclarationReader.HashOfMaps or MapDeclarationReader.RingBuf
        or MapDeclarationReader.Queue or MapDeclarationReader.Stack;

    /// <summary>
    /// Checks that need the key and value layouts, against the kernel's <c>map_alloc_check</c>s: hash keys at
    /// most 512 bytes (<c>MAX_BPF_STACK</c>, programs build keys on the stack), per-CPU values at most 32 KiB
    /// (<c>PCPU_MIN_UNIT_SIZE</c>), and LPM data of 1–256 bytes directly after the prefix length.
    /// </summary>
    private bool CheckMapTypes(MapModel map, Location at)
    {
        TypeLayout? key = map.KeyType is null ? null : LayoutOf(map.KeyType, at);
        TypeLayout? value = map.ValueType is null ? null : LayoutOf(map.ValueType, at);
        foreach (ITypeSymbol? t in new[] { map.KeyType, map.ValueType })
            if (t is not null && (TypeMapper.IsContext(t) || TypeMapper.IsMap(t) || TypeMapper.SpanElementType(t) is not null))
                return Refuse(BpfDiagnostics.InvalidMapKeyOrValue, $"'{t}' only exists while a program runs; store plain data (integers, enums, unmanaged structs)");
            else if (t is not null && TypeMapper.IsTuple(t))
                return Refuse(BpfDiagnostics.InvalidMapKeyOrValue, $"'{t}' is a value tuple: {TypeMapper.TupleLayoutIsTheClrs}");
        bool hashLike = map.MapType is MapDeclarationReader.Hash or MapDeclarationReader.LruHash or MapDeclarationReader.PerCpuHash
            or MapDeclarationReader.LruPerCpuHash or MapDeclarationReader.HashOfMaps;
        if (hashLike && key!.Size > 512)
            return Refuse(BpfDiagnostics.InvalidMapKeyOrValue, $"the key '{map.KeyType}' has {key.Size} bytes; hash keys are built on the 512-byte BPF stack, so the kernel refuses keys over 512 bytes (E2BIG)");
        bool perCpu = map.MapType is MapDeclarationReader.PerCpuHash or MapDeclarationReader.LruPerCpuHash or MapDeclarationReader.PerCpuArray;
        if (perCpu && value!.Size > 32768)
            return Refuse(BpfDiagnostics.InvalidMapKeyOrValue, $"the value '{map.ValueType}' has {value.Size} bytes; per-CPU values are limited to 32768 bytes (PCPU_MIN_UNIT_SIZE)");
        if (map.MapType == MapDeclarationReader.LpmTrie)
        {
            var data = ((INamedTypeSymbol)map.KeyType!).TypeArguments[0];
            TypeLayout dataLayout = LayoutOf(data, at);
            if (dataLayout.Size is < 1 or > 256)
                return Refuse(BpfDiagnostics.InvalidLpmKey, data.ToDisplayString(), $"it has {dataLayout.Size} bytes; the kernel takes 1 to 256 bytes of prefix data (LPM_DATA_SIZE_MAX)");
            if (key!.Fields is { } fields && fields.TryGetValue("Data", out var d) && d.Offset != 4)
                return Refuse(BpfDiagnostics.InvalidLpmKey, data.ToDisplayString(),
                    $"it is {dataLayout.Align}-byte aligned, so it would start at byte {d.Offset} of the key, but the kernel reads it right after the 4-byte prefix length; use data aligned to at most 4 bytes (uint, ushort, byte fields, or a byte inline array)");
        }
        return map.Inner is null || CheckMapTypes(map.Inner, at);

        bool Refuse(DiagnosticDescriptor descriptor, params string[] details)
        {
            Diagnostics.Add(Diagnostic.Create(descriptor, at, [map.Field.Name, .. details]));
            return false;
        }
    }
}
