using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Tests.Generators;

/// <summary>The loader of network programs: typed attach methods taking the interface, socket or cgroup the section cannot name.</summary>
public class NetworkLoaderTests
{
    private const string Source =
        """
        using CsBpf;
        namespace Samples;

        [BpfProgram(License = "GPL")]
        public static partial class Net
        {
            [Xdp] static XdpAction Drop(XdpContext ctx) => XdpAction.Drop;
            [Tc(TcDirection.Egress)] static TcAction Shape(SkBuffContext ctx) => TcAction.Ok;
            [Tc(TcDirection.Ingress)] static int Police(SkBuffContext ctx) => 0;
            [SocketFilter] static int Filter(SkBuffContext ctx) => 0;
            [CgroupSkb(CgroupSkbDirection.Egress)] static int Egress(SkBuffContext ctx) => 1;
            [CgroupSockAddr(SockAddrHook.Connect4)] static int Connect(SockAddrContext ctx) => 1;
        }
        """;

    [Fact]
    public void Each_network_kind_gets_a_typed_attach_method_with_its_attribute_arguments()
    {
        var (sources, output, diagnostics) = GeneratorHarness.Run(Source);
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
        string text = Assert.Single(sources).Value;
        Assert.Contains("public global::CsBpf.Runtime.BpfTcAttachment AttachShape(string interfaceName, uint priority = 0) => Shape.AttachTc(interfaceName, global::CsBpf.TcDirection.Egress, priority);", text);
        Assert.Contains("=> Police.AttachTc(interfaceName, global::CsBpf.TcDirection.Ingress, priority);", text);

        var skeleton = output.GetTypeByMetadataName("Samples.Net+Skeleton")!;
        string Signature(string name, int parameters) => skeleton.GetMembers(name).OfType<IMethodSymbol>().Single(m => m.Parameters.Length == parameters)
            .ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        Assert.Equal("Samples.Net.Skeleton.AttachDrop(string)", Signature("AttachDrop", 1));
        Assert.Equal("CsBpf.Runtime.BpfXdpAttachment", skeleton.GetMembers("AttachDrop").OfType<IMethodSymbol>().Single(m => m.Parameters.Length == 2).ReturnType.ToDisplayString());
        Assert.Equal("Samples.Net.Skeleton.AttachFilter(System.Net.Sockets.Socket)", Signature("AttachFilter", 1));
        Assert.Equal("Samples.Net.Skeleton.AttachEgress(string)", Signature("AttachEgress", 1));
        Assert.Equal("Samples.Net.Skeleton.AttachConnect(string)", Signature("AttachConnect", 1));
    }
}
