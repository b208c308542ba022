using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// The program-side API (runtime/CsBpf) and BCL symbols the rules recognise, resolved once per compilation
    /// (in CompilationStart) so the per-operation checks compare symbols, never names. Null members mean the
    /// compilation does not reference that part of the API.
    /// </summary>
    internal sealed class BpfCodeSymbols
    {
        private BpfCodeSymbols(Compilation compilation)
        {
            Compilation = compilation;
            BpfProgramAttribute = compilation.GetTypeByMetadataName("CsBpf.BpfProgramAttribute");
            BpfProgramKindAttribute = compilation.GetTypeByMetadataName("CsBpf.BpfProgramKindAttribute");
            MapAttribute = compilation.GetTypeByMetadataName("CsBpf.MapAttribute");
            BpfHelperAttribute = compilation.GetTypeByMetadataName("CsBpf.BpfHelperAttribute");
            BpfMapKindAttribute = compilation.GetTypeByMetadataName("CsBpf.BpfMapKindAttribute");
            MapIntrinsicAttribute = compilation.GetTypeByMetadataName("CsBpf.MapIntrinsicAttribute");
            ContextFieldAttribute = compilation.GetTypeByMetadataName("CsBpf.ContextFieldAttribute");
            IBpfContext = compilation.GetTypeByMetadataName("CsBpf.IBpfContext");
            Bpf = compilation.GetTypeByMetadataName("CsBpf.Bpf");
            Unsafe = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.Unsafe");
            Interlocked = compilation.GetTypeByMetadataName("System.Threading.Interlocked");
            Span = compilation.GetTypeByMetadataName("System.Span`1");
            ReadOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
            InlineArrayAttribute = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.InlineArrayAttribute");
            StructLayoutAttribute = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.StructLayoutAttribute");
            FieldOffsetAttribute = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.FieldOffsetAttribute");
            Enumerable = compilation.GetTypeByMetadataName("System.Linq.Enumerable");
            Queryable = compilation.GetTypeByMetadataName("System.Linq.Queryable");
            MemoryExtensions = compilation.GetTypeByMetadataName("System.MemoryExtensions");
            PacketIntrinsicAttribute = compilation.GetTypeByMetadataName("CsBpf.PacketIntrinsicAttribute");
            ByteSwapIntrinsicAttribute = compilation.GetTypeByMetadataName("CsBpf.Net.ByteSwapIntrinsicAttribute");
            BinaryPrimitives = compilation.GetTypeByMetadataName("System.Buffers.Binary.BinaryPrimitives");
            BpfLog = compilation.GetTypeByMetadataName("CsBpf.BpfLog");

            if (Unsafe is not null)
            {
                IsNullRef = Single(Unsafe, "IsNullRef");
                NullRef = Single(Unsafe, "NullRef");
            }
            var lookups = ImmutableHashSet.CreateBuilder<IMethodSymbol>(SymbolEqualityComparer.Default);
            if (MapIntrinsicAttribute is not null)
            {
                // The map types of the program-side API: [BpfMapKind] classes of the CsBpf namespace.
                foreach (INamedTypeSymbol type in MapTypes(compilation))
                    foreach (IMethodSymbol method in Methods(type))
                        if (MapOperationOf(method) is MapOperationLookupRef or MapOperationRingBufferReserve) lookups.Add(method);
            }
            MapLookups = lookups.ToImmutable();
        }

        /// <summary>MapOperation.LookupRef (runtime/CsBpf/Maps/MapOperation.cs).</summary>
        public const int MapOperationLookupRef = 0;

        /// <summary>MapOperation.RingBufferReserve: a reference to a ring buffer record, null when the ring is full.</summary>
        public const int MapOperationRingBufferReserve = 8;

        /// <summary>Resolves the symbols of <paramref name="compilation"/>; null when it does not reference CsBpf.</summary>
        public static BpfCodeSymbols? TryCreate(Compilation compilation) =>
            compilation.GetTypeByMetadataName("CsBpf.BpfProgramAttribute") is null ? null : new BpfCodeSymbols(compilation);

        public Compilation Compilation { get; }
        public INamedTypeSymbol? BpfProgramAttribute { get; }
        public INamedTypeSymbol? BpfProgramKindAttribute { get; }
        public INamedTypeSymbol? MapAttribute { get; }
        public INamedTypeSymbol? BpfHelperAttribute { get; }
        public INamedTypeSymbol? BpfMapKindAttribute { get; }
        public INamedTypeSymbol? MapIntrinsicAttribute { get; }
        public INamedTypeSymbol? ContextFieldAttribute { get; }
        public INamedTypeSymbol? IBpfContext { get; }
        public INamedTypeSymbol? Bpf { get; }
        public INamedTypeSymbol? Unsafe { get; }
        public INamedTypeSymbol? Interlocked { get; }
        public INamedTypeSymbol? Span { get; }
        public INamedTypeSymbol? ReadOnlySpan { get; }
        public INamedTypeSymbol? InlineArrayAttribute { get; }
        public INamedTypeSymbol? StructLayoutAttribute { get; }
        public INamedTypeSymbol? FieldOffsetAttribute { get; }
        public INamedTypeSymbol? Enumerable { get; }
        public INamedTypeSymbol? Queryable { get; }
        public INamedTypeSymbol? MemoryExtensions { get; }
        public INamedTypeSymbol? PacketIntrinsicAttribute { get; }
        public INamedTypeSymbol? ByteSwapIntrinsicAttribute { get; }
        public INamedTypeSymbol? BinaryPrimitives { get; }
        public INamedTypeSymbol? BpfLog { get; }

        /// <summary>PacketOperation.GetRef (runtime/CsBpf/Contexts/PacketIntrinsicAttribute.cs).</summary>
        public const int PacketOperationGetRef = 0;

        /// <summary>The PacketOperation of a <c>[PacketIntrinsic]</c> member of a context, or -1.</summary>
        public int PacketOperationOf(ISymbol member) =>
            FindAttribute(member.OriginalDefinition, PacketIntrinsicAttribute) is { ConstructorArguments: { Length: > 0 } args } && args[0].Value is int op ? op : -1;

        /// <summary>Byte-order conversions the compiler lowers to llvm.bswap: <c>[ByteSwapIntrinsic]</c> methods
        /// (NetworkOrder) and BinaryPrimitives.ReverseEndianness.</summary>
        public bool IsByteSwap(IMethodSymbol method) =>
            HasAttribute(method, ByteSwapIntrinsicAttribute)
            || (SymbolEqualityComparer.Default.Equals(method.ContainingType, BinaryPrimitives) && method.Name == "ReverseEndianness");
        public IMethodSymbol? IsNullRef { get; }
        public IMethodSymbol? NullRef { get; }

        /// <summary>The map methods returning a reference that may be null: <c>[MapIntrinsic]</c> LookupRef and
        /// RingBufferReserve (original definitions).</summary>
        public ImmutableHashSet<IMethodSymbol> MapLookups { get; }

        /// <summary>True for a class marked <c>[BpfProgram]</c>.</summary>
        public bool IsBpfClass(INamedTypeSymbol? type) => type is not null && HasAttribute(type, BpfProgramAttribute);

        /// <summary>The program attribute of a method (an attribute whose class carries <c>[BpfProgramKind]</c>), or null.</summary>
        public AttributeData? ProgramAttribute(IMethodSymbol method)
        {
            if (BpfProgramKindAttribute is null) return null;
            foreach (AttributeData a in method.GetAttributes())
                if (a.AttributeClass is { } c && HasAttribute(c, BpfProgramKindAttribute)) return a;
            return null;
        }

        /// <summary>The <c>[BpfHelper]</c> attribute of a helper stub, or null.</summary>
        public AttributeData? HelperAttribute(IMethodSymbol method) => FindAttribute(method, BpfHelperAttribute);

        /// <summary>True for a helper whose string parameter is a compile-time format (<c>FormatString = true</c>).</summary>
        public bool IsFormatHelper(IMethodSymbol method)
        {
            AttributeData? helper = HelperAttribute(method);
            if (helper is null) return false;
            foreach (var named in helper.NamedArguments)
                if (named.Key == "FormatString" && named.Value.Value is true) return true;
            return false;
        }

        /// <summary>The MapOperation of a <c>[MapIntrinsic]</c> method, or -1.</summary>
        public int MapOperationOf(IMethodSymbol method)
        {
            AttributeData? a = FindAttribute(method.OriginalDefinition, MapIntrinsicAttribute);
            return a is { ConstructorArguments: { Length: 1 } args } && args[0].Value is int op ? op : -1;
        }

        /// <summary>True for <c>GetValueRefOrNullRef</c> of a map type.</summary>
        public bool IsMapLookup(IMethodSymbol method) => MapLookups.Contains(method.OriginalDefinition);

        /// <summary>True for a type whose class carries <c>[BpfMapKind]</c> (a program-side map).</summary>
        public bool IsMapType(ITypeSymbol? type) =>
            type is INamedTypeSymbol named && HasAttribute(named.OriginalDefinition, BpfMapKindAttribute);

        /// <summary>True for <c>Span&lt;T&gt;</c> and <c>ReadOnlySpan&lt;T&gt;</c>.</summary>
        public bool IsSpan(ITypeSymbol? type) =>
            type is INamedTypeSymbol { IsGenericType: true } named &&
            (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, Span) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ReadOnlySpan));

        /// <summary>The element count of an <c>[InlineArray(N)]</c> struct, or null.</summary>
        public int? InlineArrayLength(ITypeSymbol? type) =>
            type is INamedTypeSymbol named && FindAttribute(named, InlineArrayAttribute) is { ConstructorArguments: { Length: 1 } args } && args[0].Value is int n ? n : (int?)null;

        /// <summary>True for program context types: structs implementing <c>IBpfContext</c> (and type parameters constrained to it).</summary>
        public bool IsContext(ITypeSymbol? type)
        {
            if (type is null || IBpfContext is null) return false;
            if (type is ITypeParameterSymbol p)
            {
                foreach (ITypeSymbol c in p.ConstraintTypes)
                    if (IsContext(c)) return true;
                return false;
            }
            if (SymbolEqualityComparer.Default.Equals(type, IBpfContext)) return true;
            foreach (INamedTypeSymbol i in type.AllInterfaces)
                if (SymbolEqualityComparer.Default.Equals(i, IBpfContext)) return true;
            return false;
        }

        /// <summary>True for a <c>[ContextField]</c> property of a context type.</summary>
        public bool IsContextField(IPropertySymbol property) => FindAttribute(property, ContextFieldAttribute) is not null;

        /// <summary>The layout kind of a struct's <c>[StructLayout]</c> (0 sequential, 2 explicit, 3 auto), or null.</summary>
        public int? LayoutKind(INamedTypeSymbol type) =>
            FindAttribute(type, StructLayoutAttribute) is { ConstructorArguments: { Length: 1 } args }
                ? args[0].Value is int k ? k : args[0].Value is short s ? s : (int?)null
                : null;

        public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute) => FindAttribute(symbol, attribute) is not null;

        public static AttributeData? FindAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
        {
            if (attribute is null) return null;
            foreach (AttributeData a in symbol.GetAttributes())
                if (SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute)) return a;
            return null;
        }

        private static IMethodSymbol? Single(INamedTypeSymbol type, string name)
        {
            foreach (ISymbol m in type.GetMembers(name))
                if (m is IMethodSymbol method) return method;
            return null;
        }

        private static IEnumerable<IMethodSymbol> Methods(INamedTypeSymbol type)
        {
            foreach (ISymbol m in type.GetMembers())
                if (m is IMethodSymbol method) yield return method;
        }

        private IEnumerable<INamedTypeSymbol> MapTypes(Compilation compilation)
        {
            if (BpfProgramAttribute?.ContainingNamespace is not { } ns) yield break;
            foreach (INamedTypeSymbol type in ns.GetTypeMembers())
                if (HasAttribute(type, BpfMapKindAttribute)) yield return type;
        }
    }
}
