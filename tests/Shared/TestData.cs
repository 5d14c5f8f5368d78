using Singer.Recommendation;

namespace Singer.Recommendation.Testing;

/// <summary>Locates the shared real data (<c>../shared/data</c> beside the repository) for end-to-end tests.</summary>
internal static class TestData
{
    /// <summary>The ml100k MMRec folder, or null when <c>../shared/data/ml100k</c> is absent.</summary>
    public static string? Ml100kFolder { get; } = Find("ml100k");

    /// <summary>Skips the calling test with a clear message when ml100k is absent.</summary>
    public static string RequireMl100k()
    {
        Skip.If(Ml100kFolder is null,
            "Real-data test skipped: ../shared/data/ml100k was not found beside the repository (set SINGER_DATA to the folder that holds ml100k/ to run it).");
        return Ml100kFolder!;
    }

    private static readonly Lazy<InteractionDataset?> LazyMl100k = new(() => Ml100kFolder is null ? null : MmrecDatasetLoader.Load(Ml100kFolder));

    /// <summary>The loaded ml100k data set (cached for the test run); skips when absent.</summary>
    public static InteractionDataset Ml100k()
    {
        RequireMl100k();
        return LazyMl100k.Value!;
    }

    private static string? Find(string name)
    {
        string? env = Environment.GetEnvironmentVariable("SINGER_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, name)))
        {
            return Path.Combine(env, name);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", name);
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "shared", "data", name, name + ".inter")))
            {
                return candidate;
            }
        }

        return null;
    }
}
