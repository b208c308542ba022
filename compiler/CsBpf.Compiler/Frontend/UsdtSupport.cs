using System.Text;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Compiler.Frontend;

/// <summary>
/// The BPF side of USDT, in C#: for every <c>[BpfProgram]</c> class with <c>[Usdt]</c> programs, a partial part
/// with what libbpf's <c>usdt.bpf.h</c> gives C programs — the <c>__bpf_usdt_specs</c> and
/// <c>__bpf_usdt_ip_to_spec_id</c> maps that <c>bpf_program__attach_usdt</c> fills (it refuses to attach without
/// them) and the argument decoder (<see cref="ArgumentMethod"/>), which the entry wrappers of USDT programs call
/// once per parameter. The spec is found through the attach cookie (libbpf uses BPF cookies on Linux 5.15+).
/// </summary>
internal static class UsdtSupport
{
    /// <summary>The decoder <c>static long __CsBpfUsdtArg(PtRegs ctx, int index)</c> the part declares.</summary>
    public const string ArgumentMethod = "__CsBpfUsdtArg";

    /// <summary>The compilation with a USDT part for each class that needs one.</summary>
    public static CSharpCompilation AddSupport(CSharpCompilation compilation, List<Diagnostic> diagnostics)
    {
        var parse = (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options ?? CSharpParseOptions.Default;
        var added = new List<SyntaxTree>();
        foreach (INamedTypeSymbol type in ProgramDiscovery.AllTypesOf(compilation))
        {
            if (ProgramDiscovery.GetAttribute(type, WellKnownNames.BpfProgramAttribute) is null) continue;
            if (!type.GetMembers().OfType<IMethodSymbol>().Any(m => ProgramDiscovery.GetAttribute(m, WellKnownNames.UsdtAttribute) is not null)) continue;
            if (type.GetMembers(ArgumentMethod).Length > 0) continue;
            var syntax = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().ToList();
            bool partial = syntax.All(s => s.Modifiers.Any(SyntaxKind.PartialKeyword))
                && syntax.All(s => s.Ancestors().OfType<TypeDeclarationSyntax>().All(a => a.Modifiers.Any(SyntaxKind.PartialKeyword)));
            if (!partial || type.IsGenericType)
            {
                diagnostics.Add(Diagnostic.Create(BpfDiagnostics.InvalidProgramDeclaration, type.Locations.FirstOrDefault(), type.Name,
                    "a class with [Usdt] programs must be a non-generic 'partial' class (and so must the types containing it): the compiler adds the USDT argument maps and decoder to it"));
                continue;
            }
            // The decoder reads registers and memory with bpf_probe_read_kernel/_user, which are GPL-only (as in usdt.bpf.h).
            string? license = ProgramDiscovery.GetAttribute(type, WellKnownNames.BpfProgramAttribute)!.NamedArguments.FirstOrDefault(a => a.Key == "License").Value.Value as string;
            IMethodSymbol? withArguments = type.GetMembers().OfType<IMethodSymbol>()
                .FirstOrDefault(m => m.Parameters.Length > 0 && ProgramDiscovery.GetAttribute(m, WellKnownNames.UsdtAttribute) is not null);
            if (withArguments is not null && !string.IsNullOrEmpty(license) && !CsBpf.Analyzers.Rules.GplOnlyHelperAnalyzer.GplCompatibleLicenses.Contains(license))
                diagnostics.Add(Diagnostic.Create(BpfDiagnostics.GplOnlyHelper, withArguments.Locations.FirstOrDefault(),
                    "Bpf.ProbeReadKernel", 113, type.Name, license, withArguments.Name, " to decode its USDT arguments"));
            string path = Path.Combine(Path.GetDirectoryName(syntax[0].SyntaxTree.FilePath) ?? "", ProgramDiscovery.FullNameOf(type) + ".Usdt.g.cs");
            added.Add(CSharpSyntaxTree.ParseText(Source(type), parse, path, Encoding.UTF8));
        }
        return added.Count == 0 ? compilation : compilation.AddSyntaxTrees(added);
    }

    private static string Source(INamedTypeSymbol type)
    {
        var open = new StringBuilder();
        var close = new StringBuilder();
        if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            open.Append("namespace ").Append(ns.ToDisplayString()).Append(" {\n");
            close.Append("}\n");
        }
        var chain = new Stack<INamedTypeSymbol>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType) chain.Push(t);
        foreach (INamedTypeSymbol t in chain)
        {
            string keyword = t.IsRecord ? (t.IsValueType ? "record struct" : "record") : t.IsValueType ? "struct" : "class";
            open.Append("partial ").Append(keyword).Append(' ').Append(t.Name).Append(" {\n");
            close.Insert(0, "}\n");
        }
        // The maps as usdt.bpf.h declares them (sizes matter: libbpf writes struct __bpf_usdt_spec values), and
        // bpf_usdt_arg()'s decoding: a constant, a register, or memory at a register plus an offset, widened
        // with the argument's sign (arg_bitshift = 64 - width).
        return open + """
            [global::CsBpf.Map] static readonly global::CsBpf.ArrayMap<global::CsBpf.UsdtSpec> __bpf_usdt_specs = new(maxEntries: 256);
            [global::CsBpf.Map] static readonly global::CsBpf.HashMap<long, uint> __bpf_usdt_ip_to_spec_id = new(maxEntries: 1024);

            static long __CsBpfUsdtArg(global::CsBpf.PtRegs ctx, int index)
            {
                ref global::CsBpf.UsdtSpec spec = ref __bpf_usdt_specs.GetValueRefOrNullRef((uint)global::CsBpf.Bpf.GetAttachCookie(ctx));
                if (global::System.Runtime.CompilerServices.Unsafe.IsNullRef(ref spec) || index >= spec.ArgCount) return 0;
                return index switch
                {
                    0 => __CsBpfUsdtDecode(ctx, ref spec.Arg0),
                    1 => __CsBpfUsdtDecode(ctx, ref spec.Arg1),
                    2 => __CsBpfUsdtDecode(ctx, ref spec.Arg2),
                    3 => __CsBpfUsdtDecode(ctx, ref spec.Arg3),
                    4 => __CsBpfUsdtDecode(ctx, ref spec.Arg4),
                    5 => __CsBpfUsdtDecode(ctx, ref spec.Arg5),
                    6 => __CsBpfUsdtDecode(ctx, ref spec.Arg6),
                    7 => __CsBpfUsdtDecode(ctx, ref spec.Arg7),
                    8 => __CsBpfUsdtDecode(ctx, ref spec.Arg8),
                    9 => __CsBpfUsdtDecode(ctx, ref spec.Arg9),
                    10 => __CsBpfUsdtDecode(ctx, ref spec.Arg10),
                    _ => __CsBpfUsdtDecode(ctx, ref spec.Arg11),
                };
            }

            static long __CsBpfUsdtDecode(global::CsBpf.PtRegs ctx, ref global::CsBpf.UsdtArgSpec arg)
            {
                ulong value = 0;
                if (arg.Type == 0)
                {
                    value = arg.ValueOffset;
                }
                else if (arg.Type == 1 || arg.Type == 2)
                {
                    if (global::CsBpf.Bpf.ProbeReadKernel(out value, global::CsBpf.Bpf.AddressOf(in ctx) + (ulong)(long)arg.RegisterOffset) != 0) return 0;
                    if (arg.Type == 2 && global::CsBpf.Bpf.ProbeReadUser(out value, value + arg.ValueOffset) != 0) return 0;
                }
                value <<= arg.BitShift;
                return arg.Signed != 0 ? (long)value >> arg.BitShift : (long)(value >> arg.BitShift);
            }

            """ + close;
    }
}
