using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Frontend;

/// <summary>A <c>[BpfProgram]</c> class: what becomes one BPF object.</summary>
internal sealed record BpfClassModel(
    INamedTypeSymbol Class,
    string FullName,
    string License,
    IReadOnlyList<MapModel> Maps,
    IReadOnlyList<ProgramModel> Programs);

/// <summary>A <c>[Map]</c> field: a BTF-defined map in <c>.maps</c>.</summary>
internal sealed record MapModel(IFieldSymbol Field, int MapType, ITypeSymbol KeyType, ITypeSymbol ValueType, long MaxEntries);

/// <summary>A program entry point: a method with a program-type attribute.</summary>
internal sealed record ProgramModel(IMethodSymbol Method, string Section);
