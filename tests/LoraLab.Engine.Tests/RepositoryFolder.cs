namespace LoraLab.Engine.Tests;

/// <summary>The repository root: the nearest folder above the test binaries that holds Web.sln.</summary>
public static class RepositoryFolder
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No Web.sln above {AppContext.BaseDirectory}: cannot find the repository root.");
    }
}
