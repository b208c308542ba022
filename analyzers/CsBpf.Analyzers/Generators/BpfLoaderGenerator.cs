using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Analyzers.Generators
{
    /// <summary>
    /// Generates the typed loader of every <c>[BpfProgram]</c> class into the class itself
    /// (<c>{FullName}.Loader.g.cs</c>): the embedded object's resource name, <c>Open()</c>, <c>Load()</c> and a
    /// <c>Skeleton</c> with a property per map and program. Pipeline: ForAttributeWithMetadataName → an
    /// equatable <see cref="LoaderModel"/> → source, so edits that do not change the model reuse the output.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class BpfLoaderGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    BpfKnownTypes.BpfProgramAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: static (ctx, ct) => LoaderModelBuilder.Build(ctx, ct))
                .WithTrackingName(TrackingNames.Classes)
                .Where(static model => model is not null)
                .Select(static (model, _) => model!)
                .WithTrackingName(TrackingNames.Models);

            context.RegisterSourceOutput(models, static (spc, model) => spc.AddSource(model.HintName, LoaderEmitter.Emit(model)));
        }

        /// <summary>The tracking names of the pipeline's steps (for incrementality tests).</summary>
        public static class TrackingNames
        {
            /// <summary>The attributed classes, transformed (null when no loader can be generated).</summary>
            public const string Classes = "CsBpf.BpfProgramClasses";

            /// <summary>The loader models that get a source file.</summary>
            public const string Models = "CsBpf.LoaderModels";
        }
    }
}
