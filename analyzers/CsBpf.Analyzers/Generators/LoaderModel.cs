using System;

namespace CsBpf.Analyzers.Generators
{
    // The generator's models: strings, bools and EquatableArrays only (no symbols, syntax or compilation),
    // so the pipeline can compare them between runs and skip the output step when nothing changed.

    /// <summary>Everything needed to emit the loader of one <c>[BpfProgram]</c> class.</summary>
    public sealed class LoaderModel : IEquatable<LoaderModel>
    {
        /// <summary>Creates the model.</summary>
        public LoaderModel(string @namespace, EquatableArray<TypeDeclarationModel> containingTypes, TypeDeclarationModel type,
            string fullName, EquatableArray<MapModel> maps, EquatableArray<ProgramModel> programs)
            : this(@namespace, containingTypes, type, fullName, maps, programs, EquatableArray<GlobalModel>.Empty, hasLogging: false)
        {
        }

        /// <summary>Creates the model with global variables and the logging flag.</summary>
        public LoaderModel(string @namespace, EquatableArray<TypeDeclarationModel> containingTypes, TypeDeclarationModel type,
            string fullName, EquatableArray<MapModel> maps, EquatableArray<ProgramModel> programs,
            EquatableArray<GlobalModel> globals, bool hasLogging)
        {
            Namespace = @namespace;
            ContainingTypes = containingTypes;
            Type = type;
            FullName = fullName;
            Maps = maps;
            Programs = programs;
            Globals = globals;
            HasLogging = hasLogging;
        }

        /// <summary>The namespace (display form), or empty for the global namespace.</summary>
        public string Namespace { get; }

        /// <summary>The containing types, outermost first.</summary>
        public EquatableArray<TypeDeclarationModel> ContainingTypes { get; }

        /// <summary>The [BpfProgram] class itself.</summary>
        public TypeDeclarationModel Type { get; }

        /// <summary>Namespace and type names joined by '.', e.g. <c>Samples.Outer.OpenCount</c>: the compiler's
        /// <c>ClassFullName</c>.</summary>
        public string FullName { get; }

        /// <summary>The manifest resource name of the object (the compiler's <c>ResourceName</c>).</summary>
        public string ResourceName => FullName + ".bpf.o";

        /// <summary>The generated file's hint name.</summary>
        public string HintName => FullName + ".Loader.g.cs";

        /// <summary>The maps, in declaration order.</summary>
        public EquatableArray<MapModel> Maps { get; }

        /// <summary>The programs, in declaration order.</summary>
        public EquatableArray<ProgramModel> Programs { get; }

        /// <summary>The global variables (static fields that are neither maps nor constants), in declaration order.</summary>
        public EquatableArray<GlobalModel> Globals { get; }

        /// <summary>True when the class calls <c>BpfLog</c>: the skeleton gets <c>StartLogging</c>.</summary>
        public bool HasLogging { get; }

        /// <inheritdoc />
        public bool Equals(LoaderModel? other) =>
            other is not null && Namespace == other.Namespace && ContainingTypes.Equals(other.ContainingTypes) &&
            Type.Equals(other.Type) && FullName == other.FullName && Maps.Equals(other.Maps) && Programs.Equals(other.Programs) &&
            Globals.Equals(other.Globals) && HasLogging == other.HasLogging;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as LoaderModel);

        /// <inheritdoc />
        public override int GetHashCode() =>
            Hash.Combine(Hash.Combine(Hash.Combine(Namespace.GetHashCode(), ContainingTypes.GetHashCode()), Type.GetHashCode()),
                Hash.Combine(Hash.Combine(Hash.Combine(FullName.GetHashCode(), Maps.GetHashCode()), Programs.GetHashCode()),
                    Hash.Combine(Globals.GetHashCode(), HasLogging ? 1 : 0)));
    }

    /// <summary>One global variable: a static field of the BPF class that lives in .rodata, .data or .bss.</summary>
    public sealed class GlobalModel : IEquatable<GlobalModel>
    {
        /// <summary>Creates the model.</summary>
        public GlobalModel(string name, string identifier, string type, bool isReadOnly)
        {
            Name = name;
            Identifier = identifier;
            Type = type;
            IsReadOnly = isReadOnly;
        }

        /// <summary>The variable's name in the object (the field name).</summary>
        public string Name { get; }

        /// <summary>The field name as a C# identifier.</summary>
        public string Identifier { get; }

        /// <summary>The field's type, fully qualified.</summary>
        public string Type { get; }

        /// <summary>True for <c>static readonly</c> fields (.rodata: settable before load only).</summary>
        public bool IsReadOnly { get; }

        /// <inheritdoc />
        public bool Equals(GlobalModel? other) =>
            other is not null && Name == other.Name && Identifier == other.Identifier && Type == other.Type && IsReadOnly == other.IsReadOnly;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as GlobalModel);

        /// <inheritdoc />
        public override int GetHashCode() => Hash.Combine(Hash.Combine(Name.GetHashCode(), Type.GetHashCode()), IsReadOnly ? 1 : 0);
    }

    /// <summary>One type declaration to reopen as <c>partial</c>: its modifiers, keyword and name.</summary>
    public sealed class TypeDeclarationModel : IEquatable<TypeDeclarationModel>
    {
        /// <summary>Creates the model.</summary>
        /// <param name="modifiers">Modifiers written before <c>partial</c> (e.g. <c>public static</c>), or empty.</param>
        /// <param name="keyword"><c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
        /// <param name="name">The name as written in C# (escaped with '@' when it is a keyword).</param>
        public TypeDeclarationModel(string modifiers, string keyword, string name)
        {
            Modifiers = modifiers;
            Keyword = keyword;
            Name = name;
        }

        /// <summary>Modifiers written before <c>partial</c>, or empty.</summary>
        public string Modifiers { get; }

        /// <summary>The declaration keyword(s).</summary>
        public string Keyword { get; }

        /// <summary>The C# name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public bool Equals(TypeDeclarationModel? other) =>
            other is not null && Modifiers == other.Modifiers && Keyword == other.Keyword && Name == other.Name;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as TypeDeclarationModel);

        /// <inheritdoc />
        public override int GetHashCode() => Hash.Combine(Hash.Combine(Modifiers.GetHashCode(), Keyword.GetHashCode()), Name.GetHashCode());
    }

    /// <summary>One <c>[Map]</c> field and the host-side type it becomes.</summary>
    public sealed class MapModel : IEquatable<MapModel>
    {
        /// <summary>Creates the model.</summary>
        public MapModel(string name, string identifier, string hostType, string getter, string typeArguments)
        {
            Name = name;
            Identifier = identifier;
            HostType = hostType;
            Getter = getter;
            TypeArguments = typeArguments;
        }

        /// <summary>The map's name in the object (the field name).</summary>
        public string Name { get; }

        /// <summary>The field name as a C# identifier ('@'-escaped when a keyword).</summary>
        public string Identifier { get; }

        /// <summary>The host map type without type arguments, e.g. <c>global::CsBpf.Runtime.BpfHashMap</c>.</summary>
        /// <remarks><see cref="TypeArguments"/> is empty for a non-generic host view (e.g. a ring buffer reader).</remarks>
        public string HostType { get; }

        /// <summary>The <c>BpfObject</c> method returning it, e.g. <c>GetHashMap</c>.</summary>
        public string Getter { get; }

        /// <summary>The fully qualified type arguments, comma separated, e.g. <c>uint, ulong</c>.</summary>
        public string TypeArguments { get; }

        /// <inheritdoc />
        public bool Equals(MapModel? other) =>
            other is not null && Name == other.Name && Identifier == other.Identifier && HostType == other.HostType &&
            Getter == other.Getter && TypeArguments == other.TypeArguments;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as MapModel);

        /// <inheritdoc />
        public override int GetHashCode() =>
            Hash.Combine(Hash.Combine(Hash.Combine(Name.GetHashCode(), HostType.GetHashCode()), Getter.GetHashCode()), TypeArguments.GetHashCode());
    }

    /// <summary>One program method.</summary>
    public sealed class ProgramModel : IEquatable<ProgramModel>
    {
        /// <summary>Creates the model.</summary>
        public ProgramModel(string name, string identifier, string kind, ProgramAttach attach = ProgramAttach.Auto, string attachArgument = "")
        {
            Name = name;
            Identifier = identifier;
            Kind = kind;
            Attach = attach;
            AttachArgument = attachArgument;
        }

        /// <summary>What the typed attach method passes besides its own parameters, as C# (e.g.
        /// <c>global::CsBpf.TcDirection.Ingress</c> for <c>[Tc(TcDirection.Ingress)]</c>), or empty.</summary>
        public string AttachArgument { get; }

        /// <summary>The program's name in the object (the method name).</summary>
        public string Name { get; }

        /// <summary>The method name as a C# identifier.</summary>
        public string Identifier { get; }

        /// <summary>The program-type attribute's name without the <c>Attribute</c> suffix, e.g. <c>Tracepoint</c>.</summary>
        public string Kind { get; }

        /// <summary>How the loader attaches it.</summary>
        public ProgramAttach Attach { get; }

        /// <inheritdoc />
        public bool Equals(ProgramModel? other) =>
            other is not null && Name == other.Name && Identifier == other.Identifier && Kind == other.Kind && Attach == other.Attach && AttachArgument == other.AttachArgument;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as ProgramModel);

        /// <inheritdoc />
        public override int GetHashCode() => Hash.Combine(Hash.Combine(Name.GetHashCode(), Identifier.GetHashCode()), Kind.GetHashCode());
    }

    /// <summary>How the generated loader attaches a program.</summary>
    public enum ProgramAttach
    {
        /// <summary>By its section (libbpf's auto-attach): <c>AttachAll</c> attaches it.</summary>
        Auto,
        /// <summary>A <c>[PerfEvent]</c> program: the event is chosen at attach time (a typed attach method).</summary>
        PerfEvent,
        /// <summary>A <c>[Uprobe]</c>/<c>[Uretprobe]</c> without a binary: the target is given at attach time.</summary>
        Uprobe,
        /// <summary>A <c>[Usdt]</c> without a probe: the binary and probe are given at attach time.</summary>
        Usdt,
        /// <summary>Never attached (a <c>[Syscall]</c> program is run, not attached).</summary>
        None,
        /// <summary>A network program (XDP, tc, socket filter, cgroup): attached to an interface, socket or cgroup
        /// given at attach time, with its typed attach method.</summary>
        Target,
    }

    internal static class Hash
    {
        public static int Combine(int a, int b) => unchecked((a * -1521134295) + b);
    }
}
