using Singer.Recommendation.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

/// <summary>A small SINGER model trained once for the engine tests.</summary>
public sealed class TrainedSmallModel : IDisposable
{
    public TrainedSmallModel()
    {
        Model = SingerModelBuilder.Singer(SmallData.Small)
            .WithTraining(t => t.MaxEpochs(5).BatchSize(1024).EmbeddingSize(32).LearningRate(5e-3))
            .WithSeed(5)
            .Build();
        Model.Fit();
    }

    public SingerModel Model { get; }

    public void Dispose() => Model.Dispose();
}

public sealed class EngineTests(TrainedSmallModel trained) : IClassFixture<TrainedSmallModel>
{
    private SingerModel Model => trained.Model;

    private InteractionDataset Data => Model.Dataset;

    [Fact]
    public void Recommend_returns_the_best_unseen_items_in_order()
    {
        using var engine = RecommendationEngine.Create(Model);
        const int user = 3;
        string userId = Data.Users[user];
        var recs = engine.Recommend(userId, 10);
        recs.Should().HaveCount(10);
        recs.Select(r => r.Score).Should().BeInDescendingOrder();
        recs.Select(r => r.ItemIndex).Should().NotIntersectWith(Data.Train.ItemsOf(user).ToArray());
        recs.Should().OnlyContain(r => r.ItemId == Data.Items[r.ItemIndex]);

        // The same ranking as scoring every item with the model and dropping the seen ones.
        using var scores = Model.ScoreUsers(tensor(new long[] { user }));
        var all = scores[0].data<float>().ToArray();
        var expected = Enumerable.Range(0, all.Length)
            .Where(i => !Data.Train.Contains(user, i))
            .OrderByDescending(i => all[i]).ThenBy(i => i)
            .Take(10).ToArray();
        recs.Select(r => r.ItemIndex).Should().Equal(expected);

        var withSeen = engine.Recommend(userId, 10, excludeSeen: false);
        withSeen[0].Score.Should().BeGreaterThanOrEqualTo(recs[0].Score);
    }

    [Fact]
    public void Batch_recommendations_equal_single_ones()
    {
        using var engine = RecommendationEngine.Create(Model);
        var ids = new[] { Data.Users[0], Data.Users[7], Data.Users[42] };
        var batch = engine.RecommendBatch(ids, 15);
        for (int n = 0; n < ids.Length; n++)
        {
            // Same items; scores equal up to the rounding of a batched versus a single-row product.
            var single = engine.Recommend(ids[n], 15);
            batch[n].Select(r => r.ItemIndex).Should().Equal(single.Select(r => r.ItemIndex));
            batch[n].Zip(single).Should().OnlyContain(p => Math.Abs(p.First.Score - p.Second.Score) <= 1e-5f * Math.Max(1f, Math.Abs(p.Second.Score)));
        }
    }

    [Fact]
    public void Unknown_users_throw_or_fall_back_to_popularity()
    {
        using var strict = RecommendationEngine.Create(Model);
        FluentActions.Invoking(() => strict.Recommend("nobody")).Should().Throw<UnknownUserException>().WithMessage("*'nobody'*does not exist*MostPopular*");
        strict.ContainsUser("nobody").Should().BeFalse();
        strict.ContainsUser(Data.Users[0]).Should().BeTrue();
        strict.ContainsItem(Data.Items[0]).Should().BeTrue();
        strict.ContainsItem("nothing").Should().BeFalse();

        using var lenient = RecommendationEngine.Create(Model, new RecommendationEngineOptions { UnknownUsers = UnknownUserPolicy.MostPopular });
        var popular = lenient.Recommend("nobody", 5);
        var pop = Data.ItemPopularity.ToArray();
        var expected = Enumerable.Range(0, pop.Length).OrderByDescending(i => pop[i]).ThenBy(i => i).Take(5).ToArray();
        popular.Select(r => r.ItemIndex).Should().Equal(expected);
        FluentActions.Invoking(() => lenient.Recommend(Data.Users[0], 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => lenient.SimilarItems("no-such-item")).Should().Throw<UnknownItemException>();
    }

    [Fact]
    public void Similar_items_exclude_the_item_and_score_by_cosine()
    {
        using var engine = RecommendationEngine.Create(Model);
        var similar = engine.SimilarItems(Data.Items[10], 5);
        similar.Should().HaveCount(5);
        similar.Should().NotContain(r => r.ItemIndex == 10);
        similar.Select(r => r.Score).Should().BeInDescendingOrder();
        similar.Should().OnlyContain(r => r.Score <= 1.0001f && r.Score >= -1.0001f);
    }

    [Fact]
    public void Score_returns_the_model_scores_in_the_order_asked()
    {
        using var engine = RecommendationEngine.Create(Model);
        var items = new[] { Data.Items[5], Data.Items[1], Data.Items[99] };
        var scored = engine.Score(Data.Users[2], items);
        using var all = Model.ScoreUsers(tensor(new long[] { 2 }));
        scored.Select(s => s.ItemIndex).Should().Equal(5, 1, 99);
        scored[0].Score.Should().BeApproximately(all[0, 5].item<float>(), 1e-5f);
        scored[2].Score.Should().BeApproximately(all[0, 99].item<float>(), 1e-5f);
    }

    [Fact]
    public void Added_items_are_recommendable_at_once_and_look_like_their_feature_neighbours()
    {
        using var engine = RecommendationEngine.Create(Model);
        int before = engine.ItemCount;
        // Two new items whose features copy existing items 4 and 8 exactly.
        var features = Data.Modalities.Select(m => new ItemModality(m.Name, 2, m.Dimension, [.. m.Row(4), .. m.Row(8)])).ToArray();
        engine.AddItems(features, ["new-a", "new-b"]);
        engine.ItemCount.Should().Be(before + 2);

        var scored = engine.Score(Data.Users[0], ["new-a", "new-b", Data.Items[4]]);
        scored.Should().OnlyContain(s => float.IsFinite(s.Score));
        // The new item is nearest to the item it copies, among all items (cosine of representations).
        engine.SimilarItems("new-a", 3).Select(r => r.ItemIndex).Should().Contain(4);
        // Some user gets a new item in their top 20: find the user whose score for it is highest relative to their list.
        var anyone = Enumerable.Range(0, Data.UserCount).Select(u => engine.Recommend(Data.Users[u], 50))
            .Any(list => list.Any(r => r.ItemId is "new-a" or "new-b"));
        anyone.Should().BeTrue();

        FluentActions.Invoking(() => engine.AddItems(features, ["new-a", "new-c"])).Should().Throw<ArgumentException>().WithMessage("*'new-a' already exists*");
        var wrong = new[] { new ItemModality("image", 1, 3, [1, 2, 3]), features[1] };
        FluentActions.Invoking(() => engine.AddItems(wrong, ["x"])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void LightGcn_cannot_add_items_from_features()
    {
        using var model = SingerModelBuilder.LightGcn(SmallData.Small).WithTraining(t => t.MaxEpochs(1)).Build();
        using var engine = RecommendationEngine.Create(model);
        var f = SmallData.Small.Modalities.Select(m => new ItemModality(m.Name, 1, m.Dimension, m.Row(0).ToArray())).ToArray();
        FluentActions.Invoking(() => engine.AddItems(f, ["n"])).Should().Throw<InvalidOperationException>().WithMessage("*semantic branch*");
    }

    [Fact]
    public void Concurrent_mixed_calls_equal_sequential_results_and_leak_nothing()
    {
        using var engine = RecommendationEngine.Create(Model);
        const int threads = 8, callsPerThread = 10_000;
        var users = Enumerable.Range(0, Data.UserCount).Select(u => Data.Users[u]).ToArray();
        string Call(int n)
        {
            string user = users[n % users.Length];
            return (n % 4) switch
            {
                0 => string.Join(",", engine.Recommend(user, 10).Select(r => r.ItemIndex)),
                1 => string.Join(",", engine.SimilarItems(Data.Items[n % Data.ItemCount], 5).Select(r => r.ItemIndex)),
                2 => string.Join(",", engine.Score(user, [Data.Items[n % 50], Data.Items[(n * 7) % 50]]).Select(r => r.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
                _ => string.Join(";", engine.RecommendBatch([user, users[(n + 1) % users.Length]], 3).Select(l => string.Join(",", l.Select(r => r.ItemIndex)))),
            };
        }

        // Sequential reference for the distinct calls (the call depends only on n mod lcm).
        const int period = 4 * 300 * 50;
        var expected = Enumerable.Range(0, Math.Min(period, callsPerThread)).Select(Call).ToArray();
        var mismatches = 0;
        var liveDelta = new long[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var stats = DisposeScopeManager.Statistics.TensorStatistics;
            long live = stats.ThreadTotalLiveCount;
            for (int c = 0; c < callsPerThread; c++)
            {
                int n = (c + (t * 997)) % expected.Length;
                if (Call(n) != expected[n])
                {
                    Interlocked.Increment(ref mismatches);
                }
            }

            liveDelta[t] = stats.ThreadTotalLiveCount - live;
        })).ToArray();
        foreach (var w in workers)
        {
            w.Start();
        }

        foreach (var w in workers)
        {
            w.Join();
        }

        mismatches.Should().Be(0);
        liveDelta.Should().OnlyContain(d => d == 0);
    }
}
