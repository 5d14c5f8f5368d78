using Singer.Recommendation.Core;

namespace Singer.Recommendation.Tests;

/// <summary>Small synthetic data sets shared by the model tests (generated once per test run).</summary>
internal static class SmallData
{
    private static readonly Lazy<InteractionDataset> LazySmall = new(() => SyntheticDataGenerator.Generate(new SyntheticDataOptions
    {
        Users = 300,
        Items = 200,
        Interactions = 6_000,
        Clusters = 8,
        Seed = 7,
    }));

    /// <summary>300 users × 200 items × ~6,000 interactions with two modalities.</summary>
    public static InteractionDataset Small => LazySmall.Value;
}
