using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

/// <summary>Fold-in of users the model did not train (docs/serving.md, "New users without retraining").</summary>
public sealed class FoldInTests(TrainedSmallModel trained) : IClassFixture<TrainedSmallModel>
{
    private SingerModel Model => trained.Model;

    private InteractionDataset Data => Model.Dataset;

    private string[] TrainItems(int user) => Data.Train.ItemsOf(user).ToArray().Select(i => Data.Items[i]).ToArray();

    [Fact]
    public void A_trained_user_folded_in_with_their_own_id_embedding_is_their_trained_representation()
    {
        using var engine = RecommendationEngine.Create(Model);
        var z = Model.Representations().Users;
        foreach (int u in new[] { 0, 5, 77, 299 })
        {
            var folded = engine.FoldInVector(TrainItems(u), Data.Users[u]);
            var expected = z[u].data<float>().ToArray();
            folded.Zip(expected).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-5f * Math.Max(1f, Math.Abs(p.Second)), $"user {u}");
        }
    }

    [Fact]
    public void Anonymous_fold_in_of_training_users_agrees_with_the_trained_engine_to_the_documented_tolerance()
    {
        // The documented tolerance (docs/serving.md): a training user folded in anonymously from their training items
        // (ID embedding estimated) shares at least 80% of the trained engine's top 20 on average on this model.
        using var engine = RecommendationEngine.Create(Model);
        double overlap = 0, overlapZero = 0;
        int users = Data.UserCount;
        for (int u = 0; u < users; u++)
        {
            var expected = engine.Recommend(Data.Users[u], 20).Select(r => r.ItemIndex).ToHashSet();
            overlap += engine.Recommend(TrainItems(u), 20).Count(r => expected.Contains(r.ItemIndex)) / 20.0;
            overlapZero += engine.FoldInRecommend(TrainItems(u), 20, EgoEstimate.Zero).Count(r => expected.Contains(r.ItemIndex)) / 20.0;
        }

        Console.WriteLine($"mean top-20 overlap: regression {overlap / users:F3}, zero {overlapZero / users:F3}");
        (overlap / users).Should().BeGreaterThanOrEqualTo(0.8);
    }

    [Fact]
    public void Recorded_interactions_fold_in_unknown_users_and_extend_known_ones()
    {
        using var strict = RecommendationEngine.Create(Model);
        using var engine = RecommendationEngine.Create(Model, new RecommendationEngineOptions { UnknownUsers = UnknownUserPolicy.FoldIn });
        var history = TrainItems(12);

        // An unknown id: popular items until something is recorded, then the fold-in of what was recorded.
        var popular = engine.Recommend("visitor-1", 10);
        popular.Select(r => r.ItemIndex).Should().Equal(strict.Recommend(Array.Empty<string>(), 10).Select(r => r.ItemIndex));
        engine.RecordInteractions("visitor-1", history);
        engine.RecordedUserCount.Should().Be(1);
        var folded = engine.Recommend("visitor-1", 10);
        folded.Select(r => r.ItemIndex).Should().Equal(engine.Recommend(history, 10).Select(r => r.ItemIndex));
        folded.Select(r => r.ItemId).Should().NotIntersectWith(history);

        // The Throw policy still refuses an unknown id, recorded or not.
        strict.RecordInteractions("visitor-1", history);
        FluentActions.Invoking(() => strict.Recommend("visitor-1")).Should().Throw<UnknownUserException>();

        // A known user's new interactions are left out of their recommendations and move them.
        string user = Data.Users[3];
        var before = engine.Recommend(user, 10);
        engine.RecordInteractions(user, [before[0].ItemId, before[1].ItemId]);
        var after = engine.Recommend(user, 10);
        after.Select(r => r.ItemId).Should().NotContain([before[0].ItemId, before[1].ItemId]);
        engine.ForgetInteractions(user).Should().BeTrue();
        engine.Recommend(user, 10).Select(r => r.ItemIndex).Should().Equal(before.Select(r => r.ItemIndex));
    }

    [Fact]
    public void Fold_in_with_added_items_and_bad_ids()
    {
        using var engine = RecommendationEngine.Create(Model);
        var features = Data.Modalities.Select(m => new ItemModality(m.Name, 1, m.Dimension, m.Row(4).ToArray())).ToArray();
        engine.AddItems(features, ["cold-1"]);
        var recs = engine.Recommend(["cold-1", Data.Items[4]], 10);
        recs.Should().HaveCount(10);
        recs.Select(r => r.ItemId).Should().NotContain(["cold-1", Data.Items[4]]);
        FluentActions.Invoking(() => engine.Recommend(["no-such-item"], 5)).Should().Throw<UnknownItemException>();
        FluentActions.Invoking(() => engine.Recommend([null!], 5)).Should().Throw<ArgumentException>().WithMessage("*item id is null*");
        FluentActions.Invoking(() => engine.RecordInteractions("", ["x"])).Should().Throw<ArgumentException>();
    }
}
