namespace CsBpf.Compiler.Tests;

public class SmokeTests
{
    [Fact]
    public void OpenCount_compiles_to_an_object()
    {
        var result = TestCompiler.Compile(Samples.OpenCount);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var obj = Assert.Single(result.Objects);
        Assert.Equal("Samples.OpenCount.bpf.o", obj.ResourceName);
        File.WriteAllBytes("/tmp/opencount.bpf.o", obj.Elf);
    }
}
