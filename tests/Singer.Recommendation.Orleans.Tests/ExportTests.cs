using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>The all-users top-k export equals a full scoring of every user followed by the library's top-k.</summary>
[Collection(ClusterGroup.Name)]
public sealed class ExportTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 5)]
    public async Task Every_user_gets_the_top_k_of_all_items_without_the_excluded_ones(int userBlocks, int itemShards)
    {
        var users = Features.WithTiesAndZeroRows(61, 8, seed: 3, name: "users");
        var items = Features.WithTiesAndZeroRows(97, 8, seed: 4, name: "items");
        var random = new Random(5);
        var pairs = Enumerable.Range(0, 400).Select(_ => (User: random.Next(61), Item: random.Next(97))).Distinct().ToArray();
        var seen = UserItemMatrix.FromPairs(61, 97, pairs.Select(p => p.User).ToArray(), pairs.Select(p => p.Item).ToArray());
        var expected = Reference(users, items, seen, k: 20);

        var actual = await OrleansTopK.RecommendAllAsync(
            fixture.Cluster.Client, FeatureSource.FromModality(users), FeatureSource.FromModality(items), 20, seen,
            new ClusterJobOptions { RowBlocks = userBlocks, ColumnShards = itemShards }).WaitAsync(Clusters.Deadline);

        actual.Should().HaveCount(61);
        for (int u = 0; u < 61; u++)
        {
            actual[u].Select(e => e.Index).Should().Equal(expected[u].Select(e => e.Index), $"user {u}'s list, best first, ties to the lower item");
            actual[u].Select(e => e.Score).Should().Equal(expected[u].Select(e => e.Score), (a, b) => Math.Abs(a - b) <= 1e-5f);
            actual[u].Select(e => e.Index).Should().NotIntersectWith(seen.ItemsOf(u).ToArray());
        }
    }

    /// <summary>One matrix product of all users and items, seen items at −∞, then <see cref="TopK.Select"/>.</summary>
    private static ScoredIndex[][] Reference(ItemModality users, ItemModality items, UserItemMatrix seen, int k)
    {
        using var scope = torch.NewDisposeScope();
        var scores = users.ToTensor().matmul(items.ToTensor().t()).contiguous();
        var data = scores.data<float>().ToArray();
        for (int u = 0; u < users.ItemCount; u++)
        {
            foreach (int i in seen.ItemsOf(u))
            {
                data[(u * items.ItemCount) + i] = float.NegativeInfinity;
            }
        }

        return TopK.Select(torch.tensor(data, [users.ItemCount, items.ItemCount]), k);
    }
}
