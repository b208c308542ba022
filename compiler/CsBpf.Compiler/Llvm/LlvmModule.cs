using System.Runtime.InteropServices;
using System.Text;

namespace CsBpf.Compiler.Llvm;

/// <summary>
/// One LLVM context + module + IR builder + debug-info builder, disposed together. Types, values, blocks
/// and metadata handed out by it live as long as it does. Not thread-safe (one per compiled class).
/// </summary>
internal sealed unsafe partial class LlvmModule : IDisposable
{
    internal const string Triple = "bpfel";

    private nint _context;
    private nint _module;
    private nint _builder;
    private nint _diBuilder;

    public LlvmModule(string name)
    {
        LlvmLibrary.EnsureLoaded();
        _context = LibLlvm.ContextCreate();
        InstallDiagnosticHandler();
        _module = LibLlvm.ModuleCreateWithNameInContext(name, _context);
        _builder = LibLlvm.CreateBuilderInContext(_context);
        _diBuilder = LibLlvm.CreateDIBuilder(_module);
        LibLlvm.SetTarget(_module, Triple);
        I1 = LibLlvm.IntTypeInContext(_context, 1);
        I8 = LibLlvm.IntTypeInContext(_context, 8);
        I16 = LibLlvm.IntTypeInContext(_context, 16);
        I32 = LibLlvm.IntTypeInContext(_context, 32);
        I64 = LibLlvm.IntTypeInContext(_context, 64);
        Ptr = LibLlvm.PointerTypeInContext(_context, 0);
        Void = LibLlvm.VoidTypeInContext(_context);
        _dbgKind = LibLlvm.GetMDKindIDInContext(_context, "dbg", 3);
        InstallDiagnosticHandler();
    }

    private readonly uint _dbgKind;

    public nint Context => _context;
    public nint Handle => _module;
    public LType I1 { get; }
    public LType I8 { get; }
    public LType I16 { get; }
    public LType I32 { get; }
    public LType I64 { get; }
    public LType Ptr { get; }
    public LType Void { get; }

    // ---- types ----
    public LType Int(int bits) => bits switch { 1 => I1, 8 => I8, 16 => I16, 32 => I32, 64 => I64, _ => LibLlvm.IntTypeInContext(_context, (uint)bits) };

    public LType Array(LType element, ulong count) => LibLlvm.ArrayType2(element, count);

    public LType Struct(ReadOnlySpan<LType> fields, bool packed)
    {
        fixed (LType* p = fields) return LibLlvm.StructTypeInContext(_context, p, (uint)fields.Length, packed ? 1 : 0);
    }

    public LType Function(LType returnType, ReadOnlySpan<LType> parameters)
    {
        fixed (LType* p = parameters) return LibLlvm.FunctionType(returnType, p, (uint)parameters.Length, 0);
    }

    public static LType TypeOf(LValue value) => LibLlvm.TypeOf(value);

    public static bool IsPointer(LType type) => LibLlvm.GetTypeKind(type) == 12;

    public static int IntWidth(LType type) => (int)LibLlvm.GetIntTypeWidth(type);

    // ---- constants and globals ----
    public LValue ConstInt(LType type, ulong value) => LibLlvm.ConstInt(type, value, 0);

    public LValue ConstNull(LType type) => LibLlvm.ConstNull(type);

    public LValue ConstString(ReadOnlySpan<byte> bytes, bool nullTerminate)
    {
        fixed (byte* p = bytes) return LibLlvm.ConstStringInContext2(_context, p, (nuint)bytes.Length, nullTerminate ? 0 : 1);
    }

    /// <summary>A BPF helper "function pointer": <c>inttoptr (i64 id to ptr)</c>, the form clang emits for
    /// <c>static long (*bpf_x)(...) = (void *)id;</c>; the back end turns a call through it into <c>call id</c>.</summary>
    public LValue HelperPointer(int id) => LibLlvm.ConstIntToPtr(ConstInt(I64, (ulong)id), Ptr);

    public LValue AddGlobal(LType type, string name, string? section, Linkage linkage, uint align)
    {
        LValue g = LibLlvm.AddGlobal(_module, type, name);
        LibLlvm.SetLinkage(g, linkage);
        if (section is not null) LibLlvm.SetSection(g, section);
        LibLlvm.SetAlignment(g, align);
        return g;
    }

    public static void SetInitializer(LValue global, LValue value) => LibLlvm.SetInitializer(global, value);

    public static void SetConstant(LValue global) => LibLlvm.SetGlobalConstant(global, 1);

    public void AttachDebugInfo(LValue global, LMetadata expression) => LibLlvm.GlobalSetMetadata(global, _dbgKind, expression);

    public LValue AddFunction(string name, LType type, Linkage linkage, string? section)
    {
        LValue f = LibLlvm.AddFunction(_module, name, type);
        LibLlvm.SetLinkage(f, linkage);
        if (section is not null) LibLlvm.SetSection(f, section);
        // BPF has no unwinding; without nounwind LLVM would plan for exceptions that cannot happen.
        AddFunctionAttribute(f, "nounwind");
        return f;
    }

    public void AddFunctionAttribute(LValue function, string name)
    {
        uint kind = LibLlvm.GetEnumAttributeKindForName(name, (nuint)name.Length);
        LibLlvm.AddAttributeAtIndex(function, uint.MaxValue, LibLlvm.CreateEnumAttribute(_context, kind, 0));
    }

    public static LValue Param(LValue function, int index) => LibLlvm.GetParam(function, (uint)index);

    public LBlock AppendBlock(LValue function, string name) => LibLlvm.AppendBasicBlockInContext(_context, function, name);

    public void AddModuleFlag(string key, int behavior, uint value)
    {
        byte[] k = Encoding.UTF8.GetBytes(key);
        fixed (byte* p = k) LibLlvm.AddModuleFlag(_module, behavior, p, (nuint)k.Length, LibLlvm.ValueAsMetadata(ConstInt(I32, value)));
    }

    /// <summary>Textual IR, for debugging the compiler (<c>csbpfc --emit-llvm</c>).</summary>
    public string PrintIr()
    {
        nint s = LibLlvm.PrintModuleToString(_module);
        try { return Marshal.PtrToStringUTF8(s) ?? ""; }
        finally { LibLlvm.DisposeMessage(s); }
    }

    /// <summary>Runs LLVM's verifier; returns its message or null when the module is valid.</summary>
    public string? Verify()
    {
        // Action 2 = LLVMReturnStatusAction: report, don't abort.
        int failed = LibLlvm.VerifyModule(_module, 2, out nint message);
        try { return failed != 0 ? Marshal.PtrToStringUTF8(message) : null; }
        finally { if (message != 0) LibLlvm.DisposeMessage(message); }
    }

    public void Dispose()
    {
        if (_diBuilder != 0) { LibLlvm.DisposeDIBuilder(_diBuilder); _diBuilder = 0; }
        if (_builder != 0) { LibLlvm.DisposeBuilder(_builder); _builder = 0; }
        if (_machine != 0) { LibLlvm.DisposeTargetMachine(_machine); _machine = 0; }
        if (_module != 0) { LibLlvm.DisposeModule(_module); _module = 0; }
        if (_context != 0) { LibLlvm.ContextDispose(_context); _context = 0; }
        FreeDiagnosticHandler();
    }

    private static byte[] Utf8(string? s) => s is null ? [] : Encoding.UTF8.GetBytes(s);
}
