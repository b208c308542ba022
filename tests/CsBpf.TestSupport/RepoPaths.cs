namespace CsBpf.TestSupport;

/// <summary>Paths inside the repository, found from the test assembly's location.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the directory holding <c>CsBpf.sln</c>).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CsBpf.sln"))) return dir.FullName;
        throw new InvalidOperationException("CsBpf.sln not found above " + AppContext.BaseDirectory);
    }
}
