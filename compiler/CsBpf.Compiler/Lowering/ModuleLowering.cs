using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using System.Reflection;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler.Lowering;

/// <summary>
/// Lowers one <c>[BpfProgram]</c> class to one LLVM module: maps (<c>.maps</c>), license, program entry
/// points (their sections) and every static method they call (internal BPF-to-BPF functions), with debug
/// info that the BPF back end turns into BTF and line info.
/// </summary>
internal sealed partial class ModuleLowering : IDisposable
{
    private readonly Dictionary<SyntaxTree, LMetadata> _files = new();
    private readonly Dictionary<IMethodSymbol, (LValue Function, LType Type)> _functions = new(SymbolEqualityComparer.Default);
    private readonly Queue<IMethodSymbol> _pending = new();

    public ModuleLowering(CSharpCompilation compilation, BpfClassModel model, BpfCompilerOptions options, List<Diagnostic> diagnostics, ProvenGuards? provenGuards = null)
    {
        ProvenGuards = provenGuards ?? ProvenGuards.None;
        Compilation = compilation;
        Model = model;
        Options = options;
        Diagnostics = diagnostics;
        Llvm = new LlvmModule(model.FullName);
        Types = new TypeMapper(Llvm);
        CpuVersion = options.Cpu is ['v', var d] && d is >= '1' and <= '4' ? d - '0' : 3;
    }

    public CSharpCompilation Compilation { get; }

    /// <summary>The divisions the rule set proved safe (ModuleLowering.Guards' last opinion).</summary>
    public ProvenGuards ProvenGuards { get; }
    public BpfClassModel Model { get; }
    public BpfCompilerOptions Options { get; }
    public List<Diagnostic> Diagnostics { get; }
    public LlvmModule Llvm { get; }
    public TypeMapper Types { get; }
    public int CpuVersion { get; }
    public LMetadata CompileUnit { get; private set; }
    public Dictionary<IFieldSymbol, LValue> MapGlobals { get; } = new(SymbolEqualityComparer.Default);
    public Dictionary<IFieldSymbol, LValue> GlobalVariables { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Lowers the class and emits the object, or returns null after reporting diagnostics.</summary>
    public byte[]? Lower(CancellationToken cancellationToken)
    {
        int errorsBefore = Diagnostics.Count;
        SyntaxTree primaryTree = Model.Class.DeclaringSyntaxReferences[0].SyntaxTree;
        LMetadata file = FileFor(primaryTree);
        Types.File = file;
        CompileUnit = Llvm.DiCompileUnit(file, "CsBpf");
        Llvm.AddModuleFlag("Dwarf Version", 1, 5);
        Llvm.AddModuleFlag("Debug Info Version", 1, 3);

        foreach (MapModel map in Model.Maps)
        {
            // A key or value type the compiler cannot lay out is a diagnostic, not a crash.
            try { EmitMap(map); }
            catch (LoweringException e) { Diagnostics.Add(e.Diagnostic); }
        }
        if (Diagnostics.Count != errorsBefore) return null;
        foreach (GlobalModel global in Model.Globals)
        {
            try { EmitGlobal(global); }
            catch (LoweringException e) { Diagnostics.Add(e.Diagnostic); }
        }
        EmitLicense(Model.License, file);

        foreach (ProgramModel program in Model.Programs) _usedNames.Add(program.Method.Name); // section functions keep their C# names
        foreach (ProgramModel program in Model.Programs)
        {
            if (program.IsDirectEntry) DeclareFunction(program.Method, program.Section);
            else EmitEntryWrapper(program);
        }
        while (_pending.TryDequeue(out IMethodSymbol? method))
        {
            cancellationToken.ThrowIfCancellationRequested();
            LowerFunction(method);
        }
        EmitLoopWrappers();
        EmitLogFormatTable();
        ReportRecursion();
        ReportSleepableMapUses();
        if (Diagnostics.Count != errorsBefore) return null;

        Llvm.FinalizeDebugInfo();
        CompilerTimings.Mark("lowering to IR");
        // Compiler debugging aid: CSBPF_DUMP_IR=<dir> writes each module's IR before optimisation.
        if (Environment.GetEnvironmentVariable("CSBPF_DUMP_IR") is { Length: > 0 } dumpDir)
        {
            Directory.CreateDirectory(dumpDir);
            File.WriteAllText(Path.Combine(dumpDir, Model.FullName + ".ll"), Llvm.PrintIr());
        }
        if (Llvm.Verify() is { } problem)
            throw new LlvmException("the generated IR is invalid: " + problem + "\n" + Llvm.PrintIr());
        // A copy for the guards' second opinion (ModuleLowering.Guards), taken before optimisation.
        nint proofClone = HasGuards ? Llvm.CloneForProofs() : 0;
        Llvm.Optimize(Options.Cpu, Options.Optimize);
        Llvm.HideStackIndexBits();
        Llvm.MakeContextAccessesVolatile();
        CompilerTimings.Mark("LLVM optimize");
        if (Environment.GetEnvironmentVariable("CSBPF_DUMP_IR") is { Length: > 0 } optimizedDumpDir)
            File.WriteAllText(Path.Combine(optimizedDumpDir, Model.FullName + ".opt.ll"), Llvm.PrintIr());
        if (ReportUnprovenGuards(proofClone) || ReportBackendErrors()) return null;
        byte[] elf = Llvm.EmitObject();
        CompilerTimings.Mark("LLVM emit");
        return ReportBackendErrors() ? null : elf;
    }

    /// <summary>The debug-info file of a syntax tree (absolute path, so BTF line info names the real file).</summary>
    public LMetadata FileFor(SyntaxTree tree)
    {
        if (!_files.TryGetValue(tree, out LMetadata file))
        {
            string path = tree.FilePath is { Length: > 0 } p ? p : "<source>";
            file = Llvm.DiFile(path, "");
            _files[tree] = file;
        }
        return file;
    }

    /// <summary>The LLVM function of <paramref name="method"/>, declared (and queued for lowering) on first use.</summary>
    public (LValue Function, LType Type) GetOrDeclareFunction(IMethodSymbol method, Location callSite)
    {
        if (_functions.TryGetValue(method, out var known)) return known;
        CheckCallable(method, callSite);
        return DeclareFunction(method, section: null);
    }

    private (LValue, LType) DeclareFunction(IMethodSymbol method, string? section)
    {
        Location at = method.Locations.FirstOrDefault() ?? Location.None;
        FunctionAbi abi = AbiOf(method);
        LType returnType = method.ReturnsVoid || abi.ReturnsStruct ? Llvm.Void
            : method.ReturnsByRef || method.ReturnsByRefReadonly ? Llvm.Ptr
            : RegisterTypeOf(method.ReturnType, at);
        // Structs (and spans) by value are passed as a pointer to a copy the caller makes; a struct result and
        // `this` are pointers in front of the C# parameters (FunctionAbi).
        var parameters = Enumerable.Repeat(Llvm.Ptr, abi.FirstParameter)
            .Concat(method.Parameters.Select(p => p.RefKind != RefKind.None ? Llvm.Ptr : RegisterTypeOf(p.Type, p.Locations.FirstOrDefault() ?? at))).ToArray();
        LType fnType = Llvm.Function(returnType, parameters);
        string name = section is not null ? method.Name : MangledName(method);
        LValue fn = Llvm.AddFunction(name, fnType, section is not null ? Linkage.External : Linkage.Internal, section);
        // [MethodImpl] inlining hints carry over; otherwise LLVM's inliner decides, as for clang's static functions.
        MethodImplAttributes impl = method.MethodImplementationFlags;
        if ((impl & MethodImplAttributes.AggressiveInlining) != 0) Llvm.AddFunctionAttribute(fn, "alwaysinline");
        else if ((impl & MethodImplAttributes.NoInlining) != 0) Llvm.AddFunctionAttribute(fn, "noinline");
        _functions[method] = (fn, fnType);
        _pending.Enqueue(method);
        return (fn, fnType);
    }

    private readonly Dictionary<IMethodSymbol, List<(IMethodSymbol Callee, Location At)>> _calls = new(SymbolEqualityComparer.Default);

    /// <summary>Records a BPF-to-BPF call, for the recursion check.</summary>
    public void RecordCall(IMethodSymbol caller, IMethodSymbol callee, Location at)
    {
        if (!_calls.TryGetValue(caller, out var list)) _calls[caller] = list = [];
        list.Add((callee, at));
    }

    /// <summary>The verifier rejects recursion (direct or through other functions): report every call that
    /// lies on a call-graph cycle (its callee reaches its caller), as the rule set's RecursionAnalyzer does.</summary>
    private void ReportRecursion()
    {
        bool Reaches(IMethodSymbol from, IMethodSymbol to)
        {
            var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { from };
            var pending = new Stack<IMethodSymbol>([from]);
            while (pending.TryPop(out IMethodSymbol? m))
            {
                if (SymbolEqualityComparer.Default.Equals(m, to)) return true;
                foreach (var (callee, _) in _calls.GetValueOrDefault(m) ?? [])
                    if (seen.Add(callee)) pending.Push(callee);
            }
            return false;
        }
        foreach (var (caller, calls) in _calls)
            foreach (var (callee, at) in calls)
                if (Reaches(callee, caller))
                    Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.Recursion, at, callee.Name));
    }

    /// <summary>The LLVM type a value of <paramref name="type"/> has in registers and as a parameter.</summary>
    public LType RegisterTypeOf(ITypeSymbol type, Location at)
    {
        TypeLayout layout = LayoutOf(type, at);
        return layout.Category switch
        {
            TypeCategory.Boolean => Llvm.I1,
            TypeCategory.Struct => Llvm.Ptr,
            _ => layout.Memory,
        };
    }

    public TypeLayout LayoutOf(ITypeSymbol type, Location at) =>
        type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal
            ? throw new LoweringException(Diagnostic.Create(BpfDiagnostics.FloatingPoint, at, Analyzers.Diagnostics.DiagnosticText.Snippet(at), type.ToDisplayString()))
            : Types.TryGetLayout(type, out string? why) ?? throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedType, at, type.ToDisplayString(), why ?? ""));

    private void LowerFunction(IMethodSymbol method)
    {
        Location at = method.Locations.FirstOrDefault() ?? Location.None;
        try
        {
            new FunctionLowering(this, method, _functions[method].Function).Lower();
        }
        catch (LoweringException e)
        {
            Diagnostics.Add(e.Diagnostic);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never crash the build on a compiler bug: report it where it happened.
            Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.BackendFailure, at, method.Name, "internal compiler error: " + e));
        }
    }

    public void Dispose() => Llvm.Dispose();
}
