using Singer.Recommendation.Core;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

/// <summary>
/// Numeric guards of training and serving (docs/errors.md): degenerate features and extreme settings give finite
/// numbers or a specific error, never a silent NaN.
/// </summary>
public sealed class NumericGuardTests
{
    private static SingerModelBuilder Small(InteractionDataset data, double learningRate = 5e-3) =>
        SingerModelBuilder.Singer(data).WithTraining(t => t.MaxEpochs(2).BatchSize(1024).EmbeddingSize(16).LearningRate(learningRate)).WithSeed(11);

    private static void ShouldBeFinite(SingerModel model, TrainingReport report)
    {
        foreach (var e in report.Epochs)
        {
            new[] { e.Loss.Total, e.Loss.Bpr, e.Loss.Perturbation, e.Loss.Anchor, e.Loss.Alignment, e.Loss.Regularization }
                .Should().OnlyContain(v => double.IsFinite(v), $"epoch {e.Epoch}: {e.Loss}");
        }

        var z = model.Representations();
        z.Users.isfinite().all().item<bool>().Should().BeTrue();
        z.Items.isfinite().all().item<bool>().Should().BeTrue();
        using var engine = RecommendationEngine.Create(model);
        engine.Recommend(model.Dataset.Users[0], 10).Should().OnlyContain(r => float.IsFinite(r.Score));
        engine.SimilarItems(model.Dataset.Items[0], 10).Should().OnlyContain(r => float.IsFinite(r.Score));
    }

    [Fact]
    public void An_all_zero_modality_trains_to_finite_losses_and_scores()
    {
        var data = SmallData.Small;
        var image = data.GetModality("image");
        var zeros = new ItemModality("image", image.ItemCount, image.Dimension, new float[image.ItemCount * image.Dimension]);
        var withZeros = data.WithModalities(data.Modalities.Select(m => m.Name == "image" ? zeros : m));

        using var model = Small(withZeros).Build();
        model.Graph!.ModalityGraph("image").NonZeroCount.Should().Be(0, "an all-zero modality has no cosine neighbours");
        var report = model.Fit();

        ShouldBeFinite(model, report);
    }

    [Fact]
    public void Zero_norm_feature_rows_train_to_finite_losses_and_scores()
    {
        var data = SmallData.Small;
        var zeroRows = new[] { 0, 7, 199 };
        var modalities = data.Modalities.Select(m =>
        {
            var values = m.Values.ToArray();
            foreach (int r in zeroRows)
            {
                Array.Clear(values, r * m.Dimension, m.Dimension);
            }

            return new ItemModality(m.Name, m.ItemCount, m.Dimension, values);
        });

        using var model = Small(data.WithModalities(modalities)).Build();
        var report = model.Fit();

        ShouldBeFinite(model, report);
        using var engine = RecommendationEngine.Create(model);
        engine.SimilarItems(data.Items[7], 5).Should().HaveCount(5).And.OnlyContain(r => float.IsFinite(r.Score));
    }

    [Theory]
    [InlineData(1e-30)]
    [InlineData(1e+15)]
    public void Tiny_and_huge_feature_magnitudes_train_to_finite_numbers(double scale)
    {
        // 1e15 is about the largest magnitude whose BPR scores still fit float32; 1e30 diverges (TrainingTests).
        var data = SmallData.Small;
        var scaled = data.Modalities.Select(m => new ItemModality(m.Name, m.ItemCount, m.Dimension, m.Values.ToArray().Select(v => (float)(v * scale)).ToArray()));
        using var model = Small(data.WithModalities(scaled)).Build();

        var report = model.Fit();

        ShouldBeFinite(model, report);
    }

    [Fact]
    public void The_largest_allowed_learning_rate_trains_to_finite_numbers_and_larger_ones_are_rejected()
    {
        using (var model = Small(SmallData.Small, learningRate: 10).Build())
        {
            var report = model.Fit();
            ShouldBeFinite(model, report);
        }

        FluentActions.Invoking(() => Small(SmallData.Small, learningRate: 1e6).Build())
            .Should().Throw<SingerConfigurationException>().WithMessage("*TrainingOptions.LearningRate: must be in (0, 10]; got 1000000*");
    }

    [Fact]
    public void Divergence_keeps_the_last_good_parameters_and_reports_the_epoch_and_term()
    {
        // Features of magnitude 1e19 make the BPR scores overflow float32 in the first epoch.
        var data = SmallData.Small;
        var huge = data.Modalities.Select(m => new ItemModality(m.Name, m.ItemCount, m.Dimension, m.Values.ToArray().Select(v => v * 1e19f).ToArray()));
        using var model = Small(data.WithModalities(huge), learningRate: 10).Build();
        using var users = tensor(new long[] { 0, 1, 2 });
        float[] before;
        using (var s = model.ScoreUsers(users))
        {
            before = s.data<float>().ToArray();
        }

        var e = FluentActions.Invoking(() => model.Fit()).Should().Throw<TrainingDivergedException>().Which;

        (e.Epoch, e.Term).Should().Be((1, "BPR"));
        e.Message.Should().Contain("Training diverged in epoch 1: the BPR loss became");
        e.Report.Epochs.Should().BeEmpty();
        using var after = model.ScoreUsers(users);
        after.data<float>().ToArray().Should().Equal(before, "the model keeps the parameters it had before the failing epoch");
    }
}
