using Singer.Recommendation.Core;
using static TorchSharp.torch;

namespace Singer.Recommendation.Graphs.Tests;

public sealed class ContentKnnScorerTests
{
    private static UserItemMatrix Empty(int users, int items) => UserItemMatrix.FromPairs(users, items, [], []);

    [Fact]
    public void Each_training_item_votes_for_its_k_nearest_items_with_their_cosine()
    {
        // Items on the unit circle at 0°, 10°, 90°, 180° and a zero row. k = 1: 0 → 1, 1 → 0, 2 → 1 (cos 80° > cos 90°),
        // 3 → none with a positive cosine (dropped), 4 (zero) → none.
        double R(double deg) => deg * Math.PI / 180;
        float[] f = [1, 0, (float)Math.Cos(R(10)), (float)Math.Sin(R(10)), 0, 1, -1, 0, 0, 0];
        var train = UserItemMatrix.FromPairs(2, 5, [0, 0, 1], [0, 2, 4]);
        var data = new InteractionDataset("d", IdMap.Sequential(2), IdMap.Sequential(5), train, Empty(2, 5), Empty(2, 5), [new ItemModality("f", 5, 2, f)]);
        var scorer = new ContentKnnScorer(data, new ContentKnnOptions { K = 1 });
        using var scores = scorer.ScoreUsers(tensor(new long[] { 0, 1 }));
        var s = scores.data<float>().ToArray();
        float cos10 = (float)Math.Cos(R(10)), cos80 = (float)Math.Cos(R(80));
        // User 0 has items 0 and 2: item 0 votes for 1 (cos 10°), item 2 votes for 1 (cos 80°).
        s[..5].Should().BeEquivalentTo(new[] { 0f, cos10 + cos80, 0f, 0f, 0f }, o => o.Using<float>(x => x.Subject.Should().BeApproximately(x.Expectation, 1e-6f)).WhenTypeIs<float>());
        s[5..].Should().OnlyContain(v => v == 0f, "a zero feature row votes for nothing");
    }

    [Fact]
    public void Several_modalities_use_the_mean_cosine_and_bad_options_are_refused()
    {
        var train = UserItemMatrix.FromPairs(1, 3, [0], [0]);
        var data = new InteractionDataset("d", IdMap.Sequential(1), IdMap.Sequential(3), train, Empty(1, 3), Empty(1, 3),
            [new ItemModality("a", 3, 2, [1, 0, 1, 0, 0, 1]), new ItemModality("b", 3, 1, [1, -1, 1])]);
        var scorer = new ContentKnnScorer(data, new ContentKnnOptions { K = 2 });
        // Item 0 vs 1: (cos_a 1 + cos_b −1) / 2 = 0 (dropped); vs 2: (0 + 1) / 2 = 0.5.
        scorer.Neighbours.ColumnsOf(0).ToArray().Should().Equal(2);
        scorer.Neighbours.ValuesOf(0)[0].Should().BeApproximately(0.5f, 1e-6f);

        FluentActions.Invoking(() => new ContentKnnScorer(data, new ContentKnnOptions { K = 3, Modalities = ["c"] })).Should().Throw<ArgumentException>()
            .WithMessage("*ContentKnnOptions.K: *item count (3); got 3*").WithMessage("*'c' is not a modality of data set 'd' (it has: a, b)*");
        FluentActions.Invoking(() => new ContentKnnScorer(data.SelectModalities([]), new ContentKnnOptions { K = 2 })).Should().Throw<ArgumentException>().WithMessage("*no modality*");
    }
}
