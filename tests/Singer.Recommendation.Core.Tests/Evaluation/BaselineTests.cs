using Singer.Recommendation.Core.Tests.Helpers;
using static TorchSharp.torch;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Core.Tests.Evaluation;

public sealed class BaselineTests
{
    // Training popularity: item 0: 1, item 1: 2, item 2: 2, item 3: 0, item 4: 1.
    private static InteractionDataset Tiny() => Datasets.Make(
        4,
        5,
        train: [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 4)],
        validation: [(3, 3)],
        test: [(3, 2), (0, 4)]);

    [Fact]
    public void MostPopular_scores_every_user_with_training_popularity()
    {
        var ds = Tiny();
        using var scorer = new MostPopularScorer(ds);
        using var users = tensor(new long[] { 3, 0 });

        using var scores = scorer.ScoreUsers(users);

        scorer.ItemCount.Should().Be(5);
        scores.shape.Should().Equal(2, 5);
        scores.data<float>().ToArray().Should().Equal(1, 2, 2, 0, 1, 1, 2, 2, 0, 1);
        ds.ItemPopularity.ToArray().Should().Equal(1, 2, 2, 0, 1);
    }

    [Fact]
    public void MostPopular_ranking_breaks_popularity_ties_by_the_lower_index_and_masks_training_items()
    {
        // Popularity order: 1, 2 (tie, 1 first), 0, 4 (tie, 0 first), 3.
        // User 3 (no training items): test item 2 at rank 2. User 0 (trained on 0, 1): ranking 2, 4, 3 → item 4 at rank 2.
        var ds = Tiny();
        using var scorer = new MostPopularScorer(ds);

        var r = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [1, 2] });

        r.UserCount.Should().Be(2);
        r.Recall(1).Should().Be(0);
        r.Recall(2).Should().Be(1);
        r.Ndcg(2).Should().BeApproximately(1 / Math.Log2(3), 1e-12);
    }

    [Fact]
    public void Random_scorer_is_seeded()
    {
        using var a = new RandomScorer(50, seed: 7);
        using var b = new RandomScorer(50, seed: 7);
        using var c = new RandomScorer(50, seed: 8);
        using var users = tensor(new long[] { 0, 1, 2 });

        using var sa = a.ScoreUsers(users);
        using var sb = b.ScoreUsers(users);
        using var sc = c.ScoreUsers(users);

        sa.shape.Should().Equal(3, 50);
        sa.data<float>().ToArray().Should().Equal(sb.data<float>().ToArray());
        sa.data<float>().ToArray().Should().NotEqual(sc.data<float>().ToArray());
        sa.data<float>().ToArray().Should().OnlyContain(v => v >= 0 && v < 1);
    }

    [Fact]
    public void Random_scorer_is_far_below_most_popular_on_a_popularity_skewed_data_set()
    {
        var ds = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 300, Items = 200, Interactions = 6_000 });
        using var popular = new MostPopularScorer(ds);
        using var random = new RandomScorer(ds.ItemCount);

        double pop = RankingEvaluator.Evaluate(popular, ds, DataSplit.Test).Recall(20);
        double rnd = RankingEvaluator.Evaluate(random, ds, DataSplit.Test).Recall(20);

        // Random Recall@20 is about 20 / 200 on average; popularity must do clearly better on power-law data.
        rnd.Should().BeInRange(0.03, 0.2);
        pop.Should().BeGreaterThan(rnd * 1.5);
    }

    [Fact]
    public void Random_scorer_rejects_no_items()
    {
        var act = () => new RandomScorer(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
