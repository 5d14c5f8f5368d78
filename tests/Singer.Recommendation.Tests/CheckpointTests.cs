using Singer.Recommendation.Core;

namespace Singer.Recommendation.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("singer-checkpoints-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static SingerModelBuilder Builder() =>
        SingerModelBuilder.Singer(SmallData.Small)
            .WithTraining(t => t.MaxEpochs(8).BatchSize(1024).EmbeddingSize(16).LearningRate(5e-3).Patience(50))
            .WithSeed(21);

    [Fact]
    public void A_resumed_run_ends_with_the_same_metrics_as_an_uninterrupted_one()
    {
        TrainingReport uninterrupted;
        using (var model = Builder().Build())
        {
            uninterrupted = model.Fit();
        }

        string path = Path.Combine(_folder, "run.ckpt");
        using (var cts = new CancellationTokenSource())
        using (var model = Builder().Build())
        {
            var stopAtFive = new Callback(e =>
            {
                if (e.Epoch == 5)
                {
                    cts.Cancel();
                }
            });
            var partial = model.Fit(new CheckpointOptions(path) { EveryEpochs = 2 }, stopAtFive, cts.Token);
            partial.StopReason.Should().Be(TrainingStopReason.Cancelled);
        }

        // The checkpoint (written after epoch 4) is a loadable model holding the best parameters so far.
        using (var best = SingerModel.Load(path))
        {
            best.ItemCount.Should().Be(SmallData.Small.ItemCount);
        }

        TrainingReport resumed;
        using (var model = Builder().Build())
        {
            resumed = model.Fit(new CheckpointOptions(path) { EveryEpochs = 2 });
        }

        resumed.Epochs.Should().HaveCount(uninterrupted.Epochs.Count);
        resumed.Epochs.Select(e => e.Loss).Should().Equal(uninterrupted.Epochs.Select(e => e.Loss));
        resumed.BestEpoch.Should().Be(uninterrupted.BestEpoch);
        resumed.Test!.ByK.Should().Equal(uninterrupted.Test!.ByK);
        resumed.BestValidation!.ByK.Should().Equal(uninterrupted.BestValidation!.ByK);
    }

    [Fact]
    public void A_checkpoint_of_other_options_is_refused_and_resume_can_be_turned_off()
    {
        string path = Path.Combine(_folder, "other.ckpt");
        using (var model = Builder().WithTraining(t => t.MaxEpochs(2)).Build())
        {
            model.Fit(new CheckpointOptions(path));
        }

        using (var longer = Builder().WithTraining(t => t.MaxEpochs(3)).Build())
        {
            // More epochs: the stopping rules may change, the run continues after epoch 2.
            var continued = longer.Fit(new CheckpointOptions(path));
            continued.Epochs.Should().HaveCount(3);
        }

        using (var different = Builder().WithTraining(t => t.MaxEpochs(3).LearningRate(1e-2)).Build())
        {
            FluentActions.Invoking(() => different.Fit(new CheckpointOptions(path)))
                .Should().Throw<IncompatibleModelFileException>().WithMessage("*other options*Resume = false*");
            var fresh = different.Fit(new CheckpointOptions(path) { Resume = false });
            fresh.Epochs.Should().HaveCount(3);
        }

        // A plain model file is not a checkpoint.
        string modelPath = Path.Combine(_folder, "plain.singer");
        using (var model = Builder().WithTraining(t => t.MaxEpochs(3)).Build())
        {
            model.Save(modelPath);
            FluentActions.Invoking(() => model.Fit(new CheckpointOptions(modelPath)))
                .Should().Throw<CorruptModelFileException>().WithMessage("*not a training checkpoint*");
        }
    }

    private sealed class Callback(Action<EpochReport> action) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => action(value);
    }
}
