namespace Singer.Recommendation.Testing;

/// <summary>Finds files of the repository from a test's output folder.</summary>
internal static class Repository
{
    // Not [CallerFilePath]: CI builds (ContinuousIntegrationBuild) map source paths to "/_/". Tests run from
    // tests/<project>/bin/<configuration>/<framework>/, so the repository is the first folder above with the solution.
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Singer.Recommendation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Singer.Recommendation.sln above {AppContext.BaseDirectory}.");
    });

    /// <summary>The repository's root folder.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The text of a file given relative to the root, with '/' separators.</summary>
    public static string ReadText(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar)));
}
