namespace CsBpf.Compiler.Tests.Network;

/// <summary>Network program declarations: sections libbpf recognises, and CSBPF1006 with the expected signature otherwise.</summary>
public class NetworkDeclarationTests
{
    [Fact]
    public void Sections_follow_the_attribute_arguments()
    {
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Kinds
            {
                [Xdp] static XdpAction A(XdpContext ctx) => XdpAction.Pass;
                [Xdp(Frags = true)] static int B(XdpContext ctx) => 2;
                [Tc(TcDirection.Egress)] static TcAction C(SkBuffContext ctx) => TcAction.Ok;
                [SocketFilter] static int D(SkBuffContext ctx) => 0;
                [CgroupSkb(CgroupSkbDirection.Ingress)] static int E(SkBuffContext ctx) => 1;
                [CgroupSkb(CgroupSkbDirection.Egress)] static int F(SkBuffContext ctx) => 1;
                [CgroupSockAddr(SockAddrHook.Connect6)] static int G(SockAddrContext ctx) => 1;
                [CgroupSockAddr(SockAddrHook.GetSockName4)] static int H(SockAddrContext ctx) => 1;
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-netkinds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string obj = Path.Combine(dir, "kinds.bpf.o");
            File.WriteAllBytes(obj, Assert.Single(result.Objects).Elf);
            var (exit, headers) = CsBpf.TestSupport.ProcessRunner.Run("llvm-objdump-19", "-h", obj);
            Assert.True(exit == 0, headers);
            foreach (string section in new[] { " xdp ", " xdp.frags ", " tc ", " socket ", " cgroup_skb/ingress ", " cgroup_skb/egress ", " cgroup/connect6 ", " cgroup/getsockname4 " })
                Assert.Contains(section, headers);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("[Xdp] static int M(SkBuffContext ctx) => 0;", "'static XdpAction M(XdpContext ctx)' (or return int)")]
    [InlineData("[Xdp] static TcAction M(XdpContext ctx) => 0;", "'static XdpAction M(XdpContext ctx)'")]
    [InlineData("[Tc(TcDirection.Ingress)] static TcAction M(ref SkBuffContext ctx) => 0;", "'static TcAction M(SkBuffContext ctx)'")]
    [InlineData("[SocketFilter] static uint M(SkBuffContext ctx) => 0;", "'static int M(SkBuffContext ctx)'")]
    [InlineData("[CgroupSockAddr(SockAddrHook.Connect4)] static int M(SkBuffContext ctx) => 1;", "'static int M(SockAddrContext ctx)'")]
    [InlineData("[Tc((TcDirection)7)] static TcAction M(SkBuffContext ctx) => 0;", "not one of its enum's named values")]
    [InlineData("[CgroupSockAddr((SockAddrHook)99)] static int M(SockAddrContext ctx) => 1;", "not one of its enum's named values")]
    public void Wrong_declarations_are_CSBPF1006_with_the_expected_signature(string program, string expected)
    {
        var result = TestCompiler.Compile($$"""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Bad
            {
                {{program}}
            }
            """);
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains(expected));
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void Network_programs_compile_to_byte_identical_objects()
    {
        byte[] first = Assert.Single(TestCompiler.Compile(XdpDifferentialTests.Source).Objects).Elf;
        byte[] second = Assert.Single(TestCompiler.Compile(XdpDifferentialTests.Source).Objects).Elf;
        Assert.Equal(first, second);
        byte[] tc1 = Assert.Single(TestCompiler.Compile(TcDifferentialTests.Source).Objects).Elf;
        Assert.Equal(tc1, Assert.Single(TestCompiler.Compile(TcDifferentialTests.Source).Objects).Elf);
    }
}
