using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

/// <summary>The int8 candidate selection with exact re-scoring: its bound holds and its lists equal the exact ones.</summary>
public sealed class Int8SelectionTests(TrainedSmallModel trained) : IClassFixture<TrainedSmallModel>
{
    private static float[] RandomMatrix(int rows, int d, int seed, double scale = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows * d).Select(_ => (float)(scale * ((random.NextDouble() * 2) - 1))).ToArray();
    }

    private static float[] ExactScores(float[] items, int n, int d, ReadOnlySpan<float> q)
    {
        var scores = new float[n];
        for (int j = 0; j < n; j++)
        {
            scores[j] = Int8Items.Dot(q, items.AsSpan(j * d, d));
        }

        return scores;
    }

    [Theory]
    [InlineData(1000, 64)]
    [InlineData(333, 13)]
    [InlineData(50, 3)]
    public void The_approximate_scores_are_within_their_bound_and_both_paths_agree(int n, int d)
    {
        var items = RandomMatrix(n, d, seed: n);
        // Rows of very different norms, and one zero row, so the per-row scales matter.
        for (int c = 0; c < d; c++)
        {
            items[c] = 0;
            items[d + c] *= 100;
        }

        var index = Int8Items.Build(items, n, d);
        var query = RandomMatrix(1, d, seed: 7, scale: 3);
        var q = index.Quantize(query);
        var fast = new float[n];
        var portable = new float[n];
        index.Scores(q, fast);
        index.ScoresPortable(q, portable);
        fast.Should().Equal(portable);
        var exact = ExactScores(items, n, d, query);
        for (int j = 0; j < n; j++)
        {
            Math.Abs(exact[j] - fast[j]).Should().BeLessThanOrEqualTo(index.BoundOf(q, j), $"item {j}");
            index.BoundOf(q, j).Should().BeLessThanOrEqualTo(index.MaxBound(q));
        }

        fast[0].Should().Be(0f);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(10, 10)]
    [InlineData(64, 50)]
    public void The_selection_equals_the_exact_top_k_whatever_the_candidate_count(int candidates, int k)
    {
        const int n = 5000, d = 32;
        var items = RandomMatrix(n, d, seed: 3);
        var index = Int8Items.Build(items, n, d);
        var random = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            var query = RandomMatrix(1, d, seed: 100 + trial);
            var excluded = Enumerable.Range(0, 40).Select(_ => random.Next(n)).Distinct().Order().ToArray();
            var exact = ExactScores(items, n, d, query);
            var expected = Enumerable.Range(0, n).Where(j => Array.BinarySearch(excluded, j) < 0)
                .OrderByDescending(j => exact[j]).ThenBy(j => j).Take(k).ToArray();
            var got = index.Select(query, items, k, candidates, excluded, out int rescored);
            got.Select(x => x.Index).Should().Equal(expected);
            got.Select(x => x.Score).Should().Equal(expected.Select(j => exact[j]));
            rescored.Should().BeLessThan(n / 4, "the bound re-scores only items that could reach the top");
        }
    }

    [Theory]
    [InlineData(5003, 32, 20, 20, 64, false)]    // C = k, small blocks
    [InlineData(5003, 32, 20, 52, null, false)]  // the engine's default candidate count, the default block
    [InlineData(5003, 32, 20, 52, 256, true)]    // one item 1,000× longer: the largest bound is wide, users fall back
    [InlineData(777, 13, 5, 1, 32, false)]       // odd width, tiny blocks, the last block partial
    [InlineData(40, 8, 30, 30, 32, false)]       // more kept scores than items: the pool holds every item
    public void Batches_by_block_equal_single_selections(int n, int d, int k, int candidates, int? block, bool outlier)
    {
        var items = RandomMatrix(n, d, seed: n + d);
        if (outlier)
        {
            items.AsSpan(7 * d, d).ToArray().Select(v => v * 1000).ToArray().CopyTo(items, 7 * d);
        }

        var index = Int8Items.Build(items, n, d);
        const int users = 23;
        var userVectors = RandomMatrix(users, d, seed: 9, scale: 2);
        var random = new Random(13);
        var pairs = Enumerable.Range(0, users).SelectMany(u => Enumerable.Range(0, 1 + random.Next(Math.Min(60, n / 2))).Select(_ => (u, random.Next(n)))).Distinct().ToArray();
        var seen = UserItemMatrix.FromPairs(users, n, pairs.Select(x => x.u).ToArray(), pairs.Select(x => x.Item2).ToArray());
        int[] rows = [0, 5, 3, 22, 17, 8, 11, 2, 19, 4];

        // The block kernel writes the same approximate scores as the whole-range one, for any aligned range.
        var q = index.Quantize(userVectors.AsSpan(0, d));
        var whole = new float[n];
        index.Scores(q, whole);
        var part = new float[64];
        int at = Math.Min(n - 1, 96) / 8 * 8;
        int width = Math.Min(64, n - at);
        index.Scores(q, at, width, part);
        part.AsSpan(0, width).ToArray().Should().Equal(whole.AsSpan(at, width).ToArray());
        index.ScoresPortable(q, at, width, part);
        part.AsSpan(0, width).ToArray().Should().Equal(whole.AsSpan(at, width).ToArray());

        foreach (var withSeen in new[] { true, false })
        {
            var batch = index.SelectBatch(userVectors, rows, items, k, candidates, withSeen ? seen : null, out int fallbacks, block);
            fallbacks.Should().BeInRange(outlier ? 1 : 0, outlier ? rows.Length : 0, "only a wide bound leaves the kept scores unable to certify a list");
            for (int r = 0; r < rows.Length; r++)
            {
                var single = index.Select(userVectors.AsSpan(rows[r] * d, d), items, k, candidates, withSeen ? seen.ItemsOf(rows[r]) : [], out _);
                batch[r].Should().Equal(single, $"user {rows[r]} (seen items {(withSeen ? "excluded" : "kept")})");
            }
        }
    }

    [Fact]
    public void Ties_go_to_the_lower_index_and_seen_items_never_come_back()
    {
        // Items 0..9 all equal to the query direction; 10.. smaller. Exclude 0 and 3.
        const int n = 40, d = 4;
        var items = new float[n * d];
        for (int j = 0; j < n; j++)
        {
            float v = j < 10 ? 1f : 0.1f * (j % 5);
            items.AsSpan(j * d, d).Fill(v);
        }

        var index = Int8Items.Build(items, n, d);
        var got = index.Select([1, 1, 1, 1], items, 5, 5, [0, 3], out _);
        got.Select(x => x.Index).Should().Equal(1, 2, 4, 5, 6);
    }

    [Fact]
    public void Engine_single_calls_equal_the_exact_engine_for_every_user()
    {
        var model = trained.Model;
        using var fast = RecommendationEngine.Create(model);
        using var exact = RecommendationEngine.Create(model, new RecommendationEngineOptions { Precision = RecommendPrecision.Exact });
        fast.Options.Precision.Should().Be(RecommendPrecision.Int8Rescored);
        int same = 0, users = model.Dataset.UserCount;
        for (int u = 0; u < users; u++)
        {
            string id = model.Dataset.Users[u];
            var a = fast.Recommend(id, 20);
            var b = exact.Recommend(id, 20);
            if (a.Select(x => x.ItemIndex).SequenceEqual(b.Select(x => x.ItemIndex)))
            {
                same++;
            }

            a.Zip(b).Should().OnlyContain(p => Math.Abs(p.First.Score - p.Second.Score) <= 1e-5f * Math.Max(1f, Math.Abs(p.Second.Score)));
        }

        // Equal lists except where two items' exact scores differ by less than the summation-order rounding.
        same.Should().BeGreaterThanOrEqualTo(users - 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Engine_batches_equal_the_exact_engine_on_any_thread_count(int threads)
    {
        var model = trained.Model;
        using var fast = RecommendationEngine.Create(model, new RecommendationEngineOptions { BatchThreads = threads });
        using var exact = RecommendationEngine.Create(model, new RecommendationEngineOptions { Precision = RecommendPrecision.Exact });
        var ids = Enumerable.Range(0, model.Dataset.UserCount).Select(u => model.Dataset.Users[u]).ToArray();
        var a = fast.RecommendBatch(ids, 20);
        var b = exact.RecommendBatch(ids, 20);
        int same = 0;
        for (int u = 0; u < ids.Length; u++)
        {
            // Every user's slot holds that user's list: the same as their single call, whatever the thread split.
            a[u].Select(x => x.ItemIndex).Should().Equal(fast.Recommend(ids[u], 20).Select(x => x.ItemIndex));
            same += a[u].Select(x => x.ItemIndex).SequenceEqual(b[u].Select(x => x.ItemIndex)) ? 1 : 0;
            a[u].Zip(b[u]).Should().OnlyContain(p => Math.Abs(p.First.Score - p.Second.Score) <= 1e-5f * Math.Max(1f, Math.Abs(p.Second.Score)));
        }

        same.Should().BeGreaterThanOrEqualTo(ids.Length - 1);

        // The export path ranks the same way.
        var all = fast.RecommendAllUsers(20, batchSize: 7).ToArray();
        all.Select(r => r.Items.Select(x => x.ItemIndex).ToArray()).Should().BeEquivalentTo(a.Select(l => l.Select(x => x.ItemIndex).ToArray()), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Bad_batch_thread_counts_are_rejected()
    {
        FluentActions.Invoking(() => RecommendationEngine.Create(trained.Model, new RecommendationEngineOptions { BatchThreads = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*BatchThreads must be ≥ 1*");
    }

    [Fact]
    public void Bad_candidate_counts_are_rejected()
    {
        FluentActions.Invoking(() => RecommendationEngine.Create(trained.Model, new RecommendationEngineOptions { CandidateCount = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*CandidateCount must be ≥ 1*");
    }
}
