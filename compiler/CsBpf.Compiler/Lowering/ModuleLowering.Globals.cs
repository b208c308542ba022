using System.Text;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// Global variables, format strings and the license section (maps: ModuleLowering.Maps.cs).
internal sealed partial class ModuleLowering
{
    /// <summary>
    /// A global variable in <c>.rodata</c>/<c>.data</c>/<c>.bss</c>, with BTF so libbpf builds the section's
    /// map (DATASEC) and the host can find it by name. Never an LLVM <c>constant</c>, even in .rodata: the
    /// host may change the value before load, so LLVM must not fold the initializer into the code (the
    /// verifier does that instead, once libbpf has frozen the map).
    /// </summary>
    private void EmitGlobal(GlobalModel global)
    {
        IFieldSymbol field = global.Field;
        Location at = field.Locations.FirstOrDefault() ?? Location.None;
        TypeLayout layout = LayoutOf(field.Type, at);
        LValue g = Llvm.AddGlobal(layout.Memory, field.Name, global.Section, Linkage.External, layout.Align);
        LValue initial = global.InitialValue is null || layout.Category == TypeCategory.Struct
            ? Llvm.ConstNull(layout.Memory)
            : Llvm.ConstInt(layout.Memory, global.InitialValue switch
            {
                bool b => b ? 1UL : 0UL,
                char ch => ch,
                ulong u => u,
                IConvertible c => unchecked((ulong)c.ToInt64(null)),
                _ => 0UL,
            });
        LlvmModule.SetInitializer(g, initial);
        LMetadata file = FileFor(field.DeclaringSyntaxReferences[0].SyntaxTree);
        uint line = (uint)at.GetLineSpan().StartLinePosition.Line + 1;
        Llvm.AttachDebugInfo(g, Llvm.DiGlobalVariable(CompileUnit, field.Name, file, line, Types.DebugType(field.Type), localToUnit: false));
        GlobalVariables[field] = g;
    }

    private LValue _preserveStaticOffset;
    private LType _preserveStaticOffsetType;

    /// <summary>
    /// <c>llvm.preserve.static.offset(p)</c>: the BPF back end keeps every load/store through <c>p</c> as
    /// <c>p + constant</c> (what clang emits for <c>__attribute__((preserve_static_offset))</c> context structs).
    /// </summary>
    public LValue PreserveStaticOffset(LValue pointer)
    {
        if (_preserveStaticOffset.IsNull)
        {
            _preserveStaticOffsetType = Llvm.Function(Llvm.Ptr, [Llvm.Ptr]);
            _preserveStaticOffset = Llvm.AddFunction("llvm.preserve.static.offset", _preserveStaticOffsetType, Linkage.External, section: null);
        }
        return Llvm.Call(_preserveStaticOffsetType, _preserveStaticOffset, [pointer]);
    }

    private readonly Dictionary<string, LValue> _formatStrings = new(StringComparer.Ordinal);

    /// <summary>A NUL-terminated format string in <c>.rodata</c> (one per distinct text), as clang emits a
    /// string literal passed to <c>bpf_trace_printk</c>.</summary>
    public LValue FormatString(byte[] utf8)
    {
        string key = Convert.ToBase64String(utf8);
        if (_formatStrings.TryGetValue(key, out LValue existing)) return existing;
        LType type = Llvm.Array(Llvm.I8, (ulong)utf8.Length + 1);
        LValue g = Llvm.AddGlobal(type, $"__fmt_{_formatStrings.Count}", ".rodata", Linkage.Private, 1);
        LlvmModule.SetInitializer(g, Llvm.ConstString(utf8, nullTerminate: true));
        LlvmModule.SetConstant(g);
        _formatStrings[key] = g;
        return g;
    }

    /// <summary>The <c>license</c> section libbpf passes to BPF_PROG_LOAD (GPL-only helpers need a GPL-compatible one).</summary>
    private void EmitLicense(string license, LMetadata file)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(license);
        LType type = Llvm.Array(Llvm.I8, (ulong)bytes.Length + 1);
        LValue global = Llvm.AddGlobal(type, "LICENSE", "license", Linkage.External, 1);
        LlvmModule.SetInitializer(global, Llvm.ConstString(bytes, nullTerminate: true));
        LMetadata charType = Llvm.DiBasicType("char", 8, DwarfEncoding.SignedChar);
        Llvm.AttachDebugInfo(global, Llvm.DiGlobalVariable(CompileUnit, "LICENSE", file, 0, Llvm.DiArray(charType, 8, bytes.Length + 1, 8), localToUnit: false));
    }
}
