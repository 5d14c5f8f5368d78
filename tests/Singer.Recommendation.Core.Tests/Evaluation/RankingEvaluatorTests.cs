using Singer.Recommendation.Core.Tests.Helpers;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Core.Tests.Evaluation;

/// <summary>
/// Hand-checked metrics of the MMRec full-ranking protocol (SPEC §6, docs/data.md "Evaluation"). Every expected
/// value is written as the formula applied to the ranks it comes from.
/// </summary>
public sealed class RankingEvaluatorTests
{
    private const double Tolerance = 1e-12;

    private static double Gain(int rank) => 1.0 / Math.Log2(rank + 1);

    private static EvaluationResult Evaluate(IRankingScorer scorer, InteractionDataset ds, DataSplit split, params int[] ks) =>
        RankingEvaluator.Evaluate(scorer, ds, split, new EvaluationOptions { Ks = ks });

    [Fact]
    public void User_with_more_test_items_than_K_is_normalised_by_min_of_relevant_and_K()
    {
        // Ranking by score: 0, 2, 3, 5, 4, 1. Test items {0, 1, 2}: hits at ranks 1 and 2 (and 6).
        var ds = Datasets.Make(1, 6, train: [], test: [(0, 0), (0, 1), (0, 2)]);
        var scorer = new FixedScorer([0.9f, 0.1f, 0.8f, 0.7f, 0.2f, 0.3f]);

        var r = Evaluate(scorer, ds, DataSplit.Test, 2, 4);

        r.UserCount.Should().Be(1);
        var at2 = r.At(2);
        at2.Recall.Should().BeApproximately(2.0 / 3, Tolerance);
        at2.Ndcg.Should().BeApproximately((Gain(1) + Gain(2)) / (Gain(1) + Gain(2)), Tolerance);
        at2.Precision.Should().BeApproximately(2.0 / 2, Tolerance);
        at2.Map.Should().BeApproximately(((1.0 / 1) + (2.0 / 2)) / Math.Min(3, 2), Tolerance, "MMRec divides by min(|T|, K), here 2, not |T| = 3");
        at2.HitRate.Should().Be(1);

        var at4 = r.At(4);
        at4.Recall.Should().BeApproximately(2.0 / 3, Tolerance);
        at4.Ndcg.Should().BeApproximately((Gain(1) + Gain(2)) / (Gain(1) + Gain(2) + Gain(3)), Tolerance);
        at4.Precision.Should().BeApproximately(2.0 / 4, Tolerance);
        at4.Map.Should().BeApproximately(((1.0 / 1) + (2.0 / 2)) / Math.Min(3, 4), Tolerance);
        at4.HitRate.Should().Be(1);
    }

    [Fact]
    public void Hits_below_the_top_give_discounted_gain_and_precision_at_their_ranks()
    {
        // Ranking 4, 0, 3, 1, 2: test items {0, 1} at ranks 2 and 4.
        var ds = Datasets.Make(1, 5, train: [], test: [(0, 0), (0, 1)]);
        var scorer = new FixedScorer([0.8f, 0.6f, 0.5f, 0.7f, 0.9f]);

        var m = Evaluate(scorer, ds, DataSplit.Test, 5).At(5);

        m.Recall.Should().BeApproximately(2.0 / 2, Tolerance);
        m.Ndcg.Should().BeApproximately((Gain(2) + Gain(4)) / (Gain(1) + Gain(2)), Tolerance);
        m.Precision.Should().BeApproximately(2.0 / 5, Tolerance);
        m.Map.Should().BeApproximately(((1.0 / 2) + (2.0 / 4)) / Math.Min(2, 5), Tolerance);
        m.HitRate.Should().Be(1);

        var at3 = Evaluate(scorer, ds, DataSplit.Test, 3).At(3);
        at3.Recall.Should().BeApproximately(1.0 / 2, Tolerance);
        at3.Ndcg.Should().BeApproximately(Gain(2) / (Gain(1) + Gain(2)), Tolerance);
        at3.Map.Should().BeApproximately((1.0 / 2) / 2, Tolerance);
    }

    [Fact]
    public void User_without_hits_scores_zero_and_still_counts_in_the_average()
    {
        // User 0: test item 0 ranked first (all metrics 1 at K = 1). User 1: test item 2 ranked last.
        var ds = Datasets.Make(2, 3, train: [], test: [(0, 0), (1, 2)]);
        var scorer = new FixedScorer([0.9f, 0.5f, 0.1f], [0.9f, 0.5f, 0.1f]);

        var r = Evaluate(scorer, ds, DataSplit.Test, 1, 2);

        r.UserCount.Should().Be(2);
        var at1 = r.At(1);
        at1.Recall.Should().BeApproximately((1 + 0) / 2.0, Tolerance);
        at1.Ndcg.Should().BeApproximately((1 + 0) / 2.0, Tolerance);
        at1.Precision.Should().BeApproximately((1 + 0) / 2.0, Tolerance);
        at1.Map.Should().BeApproximately((1 + 0) / 2.0, Tolerance);
        at1.HitRate.Should().BeApproximately((1 + 0) / 2.0, Tolerance);
        r.At(2).Precision.Should().BeApproximately(((1.0 / 2) + 0) / 2, Tolerance);
    }

    [Fact]
    public void Equal_scores_rank_the_lower_item_index_first()
    {
        // 40 items, all tied. With K = 1 only item 0 may be ranked, whatever order topk returns ties in.
        const int items = 40;
        var ds = Datasets.Make(3, items, train: [], test: [(0, 0), (1, items - 1), (2, 1)]);
        var flat = new float[items];
        var scorer = new FixedScorer(flat, flat, flat);

        var r = Evaluate(scorer, ds, DataSplit.Test, 1, 2);

        // User 0 hits at rank 1, user 1 (last item) never, user 2 (item 1) at rank 2.
        r.At(1).HitRate.Should().BeApproximately(1.0 / 3, Tolerance);
        r.At(2).HitRate.Should().BeApproximately(2.0 / 3, Tolerance);
        r.At(2).Ndcg.Should().BeApproximately((1 + 0 + Gain(2)) / 3, Tolerance);
    }

    [Fact]
    public void A_tie_across_the_K_boundary_is_broken_by_the_lower_item_index()
    {
        // Ranking: 1 (0.9), then 0, 2, 3 tied at 0.5, then 4. Item 2 is in the top 3 but not the top 2.
        var ds = Datasets.Make(2, 5, train: [], test: [(0, 2), (1, 3)]);
        float[] scores = [0.5f, 0.9f, 0.5f, 0.5f, 0.1f];
        var scorer = new FixedScorer(scores, scores);

        var r = Evaluate(scorer, ds, DataSplit.Test, 2, 3, 4);

        r.At(2).HitRate.Should().Be(0);
        r.At(3).HitRate.Should().BeApproximately(1.0 / 2, Tolerance, "item 2 is third, item 3 fourth");
        r.At(3).Ndcg.Should().BeApproximately(Gain(3) / 2, Tolerance);
        r.At(4).Ndcg.Should().BeApproximately((Gain(3) + Gain(4)) / 2, Tolerance);
    }

    [Fact]
    public void Training_items_are_masked_and_the_option_turns_masking_off()
    {
        // Item 0 has the top score but is a training item of user 0.
        var ds = Datasets.Make(1, 4, train: [(0, 0)], test: [(0, 1)]);
        var scorer = new FixedScorer([0.9f, 0.8f, 0.1f, 0.2f]);

        var masked = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [1] });
        var unmasked = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [1], MaskTrainingItems = false });

        masked.Recall(1).Should().Be(1);
        unmasked.Recall(1).Should().Be(0);
    }

    [Fact]
    public void Validation_items_are_not_masked_when_testing()
    {
        // Item 0 (validation) outranks item 1 (test): it takes rank 1 in the test ranking.
        var ds = Datasets.Make(1, 4, train: [(0, 3)], validation: [(0, 0)], test: [(0, 1)]);
        var scorer = new FixedScorer([0.9f, 0.8f, 0.1f, 0.95f]);

        var test = Evaluate(scorer, ds, DataSplit.Test, 1, 2);
        var validation = Evaluate(scorer, ds, DataSplit.Validation, 1);

        test.Recall(1).Should().Be(0);
        test.Recall(2).Should().Be(1);
        test.At(2).Ndcg.Should().BeApproximately(Gain(2) / Gain(1), Tolerance);
        validation.Recall(1).Should().Be(1);
    }

    [Fact]
    public void Only_users_with_items_in_the_split_are_scored_and_averaged()
    {
        // User 1 has only training items; user 3 has validation items only.
        var ds = Datasets.Make(
            4,
            3,
            train: [(0, 2), (1, 0), (2, 2)],
            validation: [(3, 0)],
            test: [(0, 0), (2, 1)]);
        float[] scores = [0.9f, 0.5f, 0.1f];
        var scorer = new FixedScorer(scores, scores, scores, scores);

        var r = Evaluate(scorer, ds, DataSplit.Test, 1);

        r.UserCount.Should().Be(2);
        scorer.RequestedUsers.Should().Equal(0L, 2L);
        r.Recall(1).Should().BeApproximately((1 + 0) / 2.0, Tolerance, "the average is over the two evaluated users, not four");
    }

    [Fact]
    public void Candidate_items_restrict_the_ranking_and_the_relevant_items()
    {
        // Cold items {3, 4, 5}. User 0: test {0, 4}, only 4 counts. User 1: test {1} only (no cold item): not evaluated.
        // User 2: test {5}, train {3}: 3 is masked, so 5 is first among the cold items.
        var ds = Datasets.Make(
            3,
            6,
            train: [(2, 3)],
            test: [(0, 0), (0, 4), (1, 1), (2, 5)]);
        float[] scores = [0.99f, 0.98f, 0.97f, 0.6f, 0.5f, 0.4f];
        var scorer = new FixedScorer(scores, scores, scores);

        var r = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [1, 2], CandidateItems = [3, 4, 5] });

        r.UserCount.Should().Be(2);
        scorer.RequestedUsers.Should().Equal(0L, 2L);
        // User 0: cold ranking 3, 4, 5 → item 4 at rank 2, |T| = 1. User 2: cold ranking 4, 5 → item 5 at rank 2.
        r.At(1).Recall.Should().Be(0);
        r.At(2).Recall.Should().BeApproximately((1.0 + 1.0) / 2, Tolerance);
        r.At(2).Ndcg.Should().BeApproximately((Gain(2) + Gain(2)) / 2, Tolerance);
        r.At(2).Map.Should().BeApproximately(((1.0 / 2) + (1.0 / 2)) / 2, Tolerance);
    }

    [Fact]
    public void Non_candidate_and_masked_items_never_fill_a_ranking_longer_than_the_candidates()
    {
        // K = 5 but only 2 cold candidates (4, 5). The non-candidate test item 1 must not count as a hit, and
        // the masked training item 0 (also a test item of another split) must not be ranked either.
        var ds = Datasets.Make(1, 6, train: [(0, 0)], test: [(0, 1), (0, 5)]);
        float[] scores = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f];
        var scorer = new FixedScorer(scores);

        var r = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [5], CandidateItems = [4, 5] });

        var m = r.At(5);
        m.Recall.Should().BeApproximately(1.0 / 1, Tolerance, "only item 5 is a relevant candidate");
        m.Precision.Should().BeApproximately(1.0 / 5, Tolerance);
        m.Ndcg.Should().BeApproximately(1.0, Tolerance);
        m.Map.Should().BeApproximately(1.0, Tolerance);
    }

    [Fact]
    public void Masked_items_do_not_fill_the_ranking_when_a_user_has_fewer_unmasked_items_than_K()
    {
        // 4 items; user 0 trained on 0, 1, 2 and tests on 3. K = 4: only item 3 is rankable.
        // User 1 has no training items. Metrics must not depend on how the masked items would have been ordered.
        var ds = Datasets.Make(2, 4, train: [(0, 0), (0, 1), (0, 2)], test: [(0, 3), (1, 3)]);
        float[] scores = [0.4f, 0.3f, 0.2f, 0.1f];
        var scorer = new FixedScorer(scores, scores);

        var m = Evaluate(scorer, ds, DataSplit.Test, 4).At(4);

        // User 0: hit at rank 1. User 1: hit at rank 4.
        m.Recall.Should().BeApproximately((1 + 1) / 2.0, Tolerance);
        m.Ndcg.Should().BeApproximately((1 + Gain(4)) / 2, Tolerance);
        m.Precision.Should().BeApproximately(((1.0 / 4) + (1.0 / 4)) / 2, Tolerance);
        m.Map.Should().BeApproximately((1 + (1.0 / 4)) / 2, Tolerance);
    }

    [Fact]
    public void K_larger_than_the_item_count_ranks_every_item_and_divides_precision_by_K()
    {
        var ds = Datasets.Make(1, 3, train: [], test: [(0, 2)]);
        var scorer = new FixedScorer([0.3f, 0.2f, 0.1f]);

        var m = Evaluate(scorer, ds, DataSplit.Test, 10).At(10);

        m.Recall.Should().Be(1);
        m.Precision.Should().BeApproximately(1.0 / 10, Tolerance);
        m.Ndcg.Should().BeApproximately(Gain(3), Tolerance);
        m.Map.Should().BeApproximately((1.0 / 3) / 1, Tolerance);
    }

    [Fact]
    public void A_scorer_returning_the_wrong_shape_is_rejected()
    {
        var ds = Datasets.Make(2, 3, train: [], test: [(0, 0), (1, 1)]);
        var scorer = new FixedScorer([0f, 0f, 0f], [0f, 0f, 0f]) { WrongShape = [2, 2] };

        var act = () => Evaluate(scorer, ds, DataSplit.Test, 1);

        act.Should().Throw<InvalidOperationException>().WithMessage("*returned shape [2, 2] for 2 users; expected [2, 3]*");
    }

    [Fact]
    public void A_scorer_for_another_item_count_is_rejected_before_scoring()
    {
        var ds = Datasets.Make(1, 3, train: [], test: [(0, 0)]);
        var scorer = new FixedScorer([0f, 0f, 0f]) { ItemCount = 4 };

        var act = () => Evaluate(scorer, ds, DataSplit.Test, 1);

        act.Should().Throw<ArgumentException>().WithMessage("*ranks 4 items but the data set has 3*");
        scorer.RequestedUsers.Should().BeEmpty();
    }

    [Fact]
    public void NaN_scores_are_an_error_not_a_silent_zero()
    {
        var ds = Datasets.Make(1, 3, train: [], test: [(0, 0)]);
        var scorer = new FixedScorer([float.NaN, 0.5f, 0.1f]);

        var act = () => Evaluate(scorer, ds, DataSplit.Test, 1);

        act.Should().Throw<InvalidOperationException>().WithMessage("*NaN*");
    }

    [Fact]
    public void Invalid_options_are_all_reported_in_one_exception()
    {
        var ds = Datasets.Make(1, 3, train: [], test: [(0, 0)]);
        var scorer = new FixedScorer([0f, 0f, 0f]);

        var act = () => RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [0, 5], UserBatchSize = 0, CandidateItems = [7] });

        act.Should().Throw<ArgumentException>()
            .WithMessage("*Ks must be ≥ 1*")
            .WithMessage("*UserBatchSize must be ≥ 1*")
            .WithMessage("*CandidateItems must be item indices in [0, 3)*");
        var empty = () => RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test, new EvaluationOptions { Ks = [] });
        empty.Should().Throw<ArgumentException>().WithMessage("*at least one cut-off*");
    }

    [Fact]
    public void Defaults_are_K_5_10_20_50_with_masking_and_cut_offs_come_back_sorted_and_distinct()
    {
        var options = new EvaluationOptions();
        options.Ks.Should().Equal(5, 10, 20, 50);
        options.MaskTrainingItems.Should().BeTrue();
        options.UserBatchSize.Should().Be(1024);
        options.CandidateItems.Should().BeNull();

        var ds = Datasets.Make(1, 3, train: [], test: [(0, 0)]);
        var r = Evaluate(new FixedScorer([1f, 0f, 0f]), ds, DataSplit.Test, 3, 1, 3);

        r.ByK.Select(m => m.K).Should().Equal(1, 3);
        r.Split.Should().Be(DataSplit.Test);
        r.Get(RankingMetric.Map, 3).Should().Be(r.At(3).Map);
        r.Invoking(x => x.At(2)).Should().Throw<KeyNotFoundException>().WithMessage("*K = 2 was not evaluated; evaluated: 1, 3*");
        r.ToString().Should().Contain("Test (1 users)").And.Contain("Recall");
    }

    [Fact]
    public void Cancellation_is_honoured_between_batches()
    {
        var ds = Datasets.Make(1, 3, train: [], test: [(0, 0)]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var act = () => RankingEvaluator.Evaluate(new FixedScorer([0f, 0f, 0f]), ds, DataSplit.Test, null, cts.Token);

        act.Should().Throw<OperationCanceledException>();
    }

    /// <summary>
    /// Property test: on random data with many ties, the evaluator equals a direct implementation of the
    /// formulas (sort all items by score descending then index ascending, drop masked and non-candidate items,
    /// take K), for every batch size.
    /// </summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void Matches_a_brute_force_reference_on_random_data(int seed, bool cold)
    {
        const int users = 37, items = 23;
        var random = new Random(seed);
        var pairs = new List<(int, int, DataSplit)>();
        for (int u = 0; u < users; u++)
        {
            foreach (int i in Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(random.Next(0, 12)))
            {
                pairs.Add((u, i, (DataSplit)random.Next(3)));
            }
        }

        var ds = Datasets.Make(
            users,
            items,
            train: pairs.Where(p => p.Item3 == DataSplit.Train).Select(p => (p.Item1, p.Item2)).ToArray(),
            validation: pairs.Where(p => p.Item3 == DataSplit.Validation).Select(p => (p.Item1, p.Item2)).ToArray(),
            test: pairs.Where(p => p.Item3 == DataSplit.Test).Select(p => (p.Item1, p.Item2)).ToArray());
        // Scores rounded to one decimal: many ties, including at the K boundaries.
        var scores = Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, items).Select(_ => MathF.Round(random.NextSingle(), 1)).ToArray()).ToArray();
        int[]? candidates = cold ? Enumerable.Range(0, items).Where(i => i % 3 == 0).ToArray() : null;
        int[] ks = [1, 3, 5, 10, 30];

        var expected = BruteForce(ds, scores, ks, candidates);
        foreach (int batch in new[] { 1, 4, 1024 })
        {
            var actual = RankingEvaluator.Evaluate(
                new FixedScorer(scores),
                ds,
                DataSplit.Test,
                new EvaluationOptions { Ks = ks, UserBatchSize = batch, CandidateItems = candidates });

            actual.UserCount.Should().Be(expected.Users);
            for (int k = 0; k < ks.Length; k++)
            {
                var m = actual.At(ks[k]);
                m.Recall.Should().BeApproximately(expected.Metrics[k, 0], 1e-9, $"Recall@{ks[k]} batch {batch}");
                m.Ndcg.Should().BeApproximately(expected.Metrics[k, 1], 1e-9, $"NDCG@{ks[k]} batch {batch}");
                m.Precision.Should().BeApproximately(expected.Metrics[k, 2], 1e-9, $"Precision@{ks[k]} batch {batch}");
                m.Map.Should().BeApproximately(expected.Metrics[k, 3], 1e-9, $"MAP@{ks[k]} batch {batch}");
                m.HitRate.Should().BeApproximately(expected.Metrics[k, 4], 1e-9, $"HitRate@{ks[k]} batch {batch}");
            }
        }
    }

    private static (int Users, double[,] Metrics) BruteForce(InteractionDataset ds, float[][] scores, int[] ks, int[]? candidates)
    {
        var sums = new double[ks.Length, 5];
        int evaluated = 0;
        for (int u = 0; u < ds.UserCount; u++)
        {
            var relevant = ds.Test.ItemsOf(u).ToArray().Where(i => candidates is null || candidates.Contains(i)).ToHashSet();
            if (relevant.Count == 0)
            {
                continue;
            }

            evaluated++;
            var ranking = Enumerable.Range(0, ds.ItemCount)
                .Where(i => !ds.Train.Contains(u, i) && (candidates is null || candidates.Contains(i)))
                .OrderByDescending(i => scores[u][i])
                .ThenBy(i => i)
                .ToArray();
            for (int k = 0; k < ks.Length; k++)
            {
                int K = ks[k];
                var top = ranking.Take(K).ToArray();
                int hits = 0;
                double dcg = 0, apSum = 0;
                for (int r = 1; r <= top.Length; r++)
                {
                    if (relevant.Contains(top[r - 1]))
                    {
                        hits++;
                        dcg += Gain(r);
                        apSum += (double)hits / r;
                    }
                }

                double idcg = Enumerable.Range(1, Math.Min(relevant.Count, K)).Sum(Gain);
                sums[k, 0] += (double)hits / relevant.Count;
                sums[k, 1] += dcg / idcg;
                sums[k, 2] += (double)hits / K;
                sums[k, 3] += apSum / Math.Min(relevant.Count, K);
                sums[k, 4] += hits > 0 ? 1 : 0;
            }
        }

        for (int k = 0; k < ks.Length; k++)
        {
            for (int c = 0; c < 5; c++)
            {
                sums[k, c] /= evaluated;
            }
        }

        return (evaluated, sums);
    }
}
