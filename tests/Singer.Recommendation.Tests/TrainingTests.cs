using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

public sealed class TrainingTests
{
    private static SingerModelBuilder Small(int epochs) =>
        SingerModelBuilder.Singer(SmallData.Small)
            .WithTraining(t => t.MaxEpochs(epochs).BatchSize(1024).EmbeddingSize(32).LearningRate(5e-3))
            .WithSeed(11);

    [Fact]
    public void Same_seed_gives_the_same_metrics_to_the_last_digit()
    {
        TrainingReport Run()
        {
            using var model = Small(4).Build();
            return model.Fit();
        }

        var first = Run();
        var second = Run();
        first.Epochs.Select(e => e.Loss).Should().Equal(second.Epochs.Select(e => e.Loss));
        first.Test!.ByK.Should().Equal(second.Test!.ByK);
        first.BestValidation!.ByK.Should().Equal(second.BestValidation!.ByK);
        first.BestEpoch.Should().Be(second.BestEpoch);

        using var other = Small(4).WithSeed(12).Build();
        other.Fit().Epochs.Select(e => e.Loss).Should().NotEqual(first.Epochs.Select(e => e.Loss));
    }

    [Fact]
    public void Training_improves_on_the_untrained_model_and_reports_every_term()
    {
        using var model = Small(6).Build();
        double before = model.Evaluate(DataSplit.Validation).Recall(20);
        var report = model.Fit();
        report.Epochs.Should().HaveCount(6);
        report.StopReason.Should().Be(TrainingStopReason.MaxEpochs);
        report.BestValidation!.Recall(20).Should().BeGreaterThan(before + 0.05);
        var first = report.Epochs[0].Loss;
        first.Bpr.Should().BeGreaterThan(0);
        first.Perturbation.Should().BeGreaterThan(0);
        first.Anchor.Should().BeGreaterThan(0);
        first.Alignment.Should().Be(0, "the standard alignment is off by default (λ_s = 0)");
        first.Regularization.Should().BeGreaterThan(0);
        report.Epochs[^1].Loss.Bpr.Should().BeLessThan(first.Bpr);
        // The model holds the best-validation parameters: evaluating again reproduces the reported figure.
        model.Evaluate(DataSplit.Validation).Recall(20).Should().Be(report.BestValidation.Recall(20));
        model.Evaluate(DataSplit.Test).ByK.Should().Equal(report.Test!.ByK);
    }

    [Fact]
    public void The_standard_alignment_term_is_reported_when_switched_on()
    {
        using var model = Small(1).UseAlignment(anchorWeight: 0.1f, standardWeight: 0.1f, temperature: 0.1f).Build();
        var first = model.Fit().Epochs[0].Loss;
        first.Alignment.Should().BeGreaterThan(0);
        double.IsFinite(first.Total).Should().BeTrue();
    }

    [Fact]
    public void Early_stopping_stops_after_patience_evaluations_without_improvement()
    {
        // A learning rate of 1e-9 leaves the model unchanged, so nothing improves after the first evaluation.
        using var model = SingerModelBuilder.LightGcn(SmallData.Small)
            .WithTraining(t => t.MaxEpochs(50).Patience(3).LearningRate(1e-9).BatchSize(4096))
            .Build();
        var report = model.Fit();
        report.StopReason.Should().Be(TrainingStopReason.EarlyStopping);
        report.BestEpoch.Should().Be(1);
        report.Epochs.Should().HaveCount(4);
    }

    [Fact]
    public void Cancellation_returns_the_best_model_so_far()
    {
        using var cts = new CancellationTokenSource();
        using var model = Small(50).Build();
        var progress = new SynchronousProgress<EpochReport>(e =>
        {
            if (e.Epoch == 2)
            {
                cts.Cancel();
            }
        });
        var report = model.Fit(progress, cts.Token);
        report.StopReason.Should().Be(TrainingStopReason.Cancelled);
        report.Epochs.Should().HaveCount(2);
        report.Test.Should().NotBeNull();
        model.Evaluate(DataSplit.Validation).Recall(20).Should().Be(report.BestValidation!.Recall(20));
    }

    [Fact]
    public void A_two_user_three_item_model_overfits_its_training_data()
    {
        // u0 → i0, u1 → i1; the held-out interactions only exist so that validation has users.
        var train = UserItemMatrix.FromPairs(2, 3, [0, 1], [0, 1]);
        var none = UserItemMatrix.FromPairs(2, 3, [], []);
        var features = new ItemModality("f", 3, 2, [1, 0, 0, 1, 1, 1]);
        var data = new InteractionDataset("tiny", IdMap.Sequential(2), IdMap.Sequential(3), train, train, none, [features]);
        using var model = SingerModelBuilder.Singer(data)
            .UseSemanticGraph(k: 1, coInteractionK: 1, beta: 0.3f)
            .WithTraining(t => t.MaxEpochs(200).LearningRate(0.05).EmbeddingSize(8).WithoutEarlyStopping())
            .Build();
        model.Fit();
        var result = RankingEvaluator.Evaluate(model, data, DataSplit.Train, new EvaluationOptions { Ks = [1], MaskTrainingItems = false });
        result.Recall(1).Should().Be(1.0);
    }

    [Fact]
    public void Non_finite_losses_stop_training_with_the_epoch_and_the_term()
    {
        // Features of magnitude 1e30 make scores overflow float32 in the first epoch.
        var data = SmallData.Small;
        var huge = data.Modalities.Select(m => new ItemModality(m.Name, m.ItemCount, m.Dimension, m.Values.ToArray().Select(v => v * 1e30f).ToArray()));
        using var model = SingerModelBuilder.Singer(data.WithModalities(huge)).WithTraining(t => t.MaxEpochs(3)).Build();
        var before = model.Evaluate(DataSplit.Validation);
        var e = FluentActions.Invoking(() => model.Fit()).Should().Throw<TrainingDivergedException>().Which;
        e.Epoch.Should().Be(1);
        e.Term.Should().Be("BPR");
        e.Message.Should().Contain("epoch 1").And.Contain("BPR");
        // The model still holds its last good (initial) parameters.
        model.Evaluate(DataSplit.Validation).ByK.Should().Equal(before.ByK);
    }

    [Fact]
    public void Training_and_scoring_leak_no_tensors()
    {
        using var model = Small(1).Build();
        model.Fit();
        using var users = tensor(new long[] { 0, 5, 7 });
        var stats = DisposeScopeManager.Statistics.TensorStatistics;
        long live = stats.ThreadTotalLiveCount;
        using (var again = Small(3).Build())
        {
            again.Fit();
        }

        for (int i = 0; i < 100; i++)
        {
            using var scope = NewDisposeScope();
            model.ScoreUsers(users);
        }

        model.Evaluate(DataSplit.Test);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        stats.ThreadTotalLiveCount.Should().Be(live);
    }

    private sealed class SynchronousProgress<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
