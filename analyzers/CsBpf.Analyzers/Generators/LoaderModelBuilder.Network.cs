using System.Linq;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Generators
{
    // Attach arguments of network program attributes, for the typed attach methods (LoaderEmitter.Network.cs).
    public static partial class LoaderModelBuilder
    {
        /// <summary>The tc direction of <c>[Tc(TcDirection.X)]</c> as C#, or empty for other kinds.</summary>
        private static string AttachArgument(IMethodSymbol method, string kind)
        {
            if (kind != "Tc") return "";
            var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass is { Name: "TcAttribute" } c && IsInProgramNamespace(c));
            return attribute?.ConstructorArguments.FirstOrDefault().Value switch
            {
                1 => "global::CsBpf.TcDirection.Ingress",
                2 => "global::CsBpf.TcDirection.Egress",
                _ => "",
            };
        }
    }
}
