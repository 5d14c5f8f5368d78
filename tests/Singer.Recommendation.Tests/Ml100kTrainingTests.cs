using Singer.Recommendation.Core;
using Singer.Recommendation.Testing;
using Xunit.Abstractions;

namespace Singer.Recommendation.Tests;

/// <summary>
/// Short, fixed-epoch versions of the ml100k accuracy runs (the full runs, hundreds of epochs with early stopping,
/// are in benchmarks/ and docs/results.md). Skipped with a message when ../shared/data is absent.
/// </summary>
public sealed class Ml100kTrainingTests(ITestOutputHelper output)
{
    private const int Epochs = 20;

    private static readonly Lazy<TrainingReport> LightGcn = new(() => Train(SingerModelBuilder.LightGcn(TestData.Ml100k())));

    private static TrainingReport Train(SingerModelBuilder builder)
    {
        // Validated after every epoch, never stopped early: the report holds the whole validation curve.
        using var model = builder.WithTraining(t => t.MaxEpochs(Epochs).Patience(Epochs).EvaluateEvery(1)).WithSeed(999).Build();
        return model.Fit();
    }

    private static double ValidationRecall20(SingerModel model) => model.Evaluate(DataSplit.Validation).Recall(20);

    [SkippableFact]
    public void LightGcn_learns_well_beyond_MostPopular_in_25_epochs()
    {
        var data = TestData.Ml100k();
        var report = LightGcn.Value;
        output.WriteLine($"LightGCN after {Epochs} epochs: test Recall@20 {report.Test!.Recall(20):F4}, NDCG@20 {report.Test.Ndcg(20):F4}; median epoch {report.MedianEpochSeconds:F3} s");
        using var popular = new MostPopularScorer(data);
        double mostPopular = RankingEvaluator.Evaluate(popular, data, DataSplit.Test).Recall(20);
        report.Test.Recall(20).Should().BeGreaterThan(mostPopular + 0.06);
    }

    [SkippableFact]
    public void Default_Singer_beats_LightGcn_at_the_same_epoch_and_never_collapses()
    {
        // The default configuration, validated after every epoch: a collapse (the SPEC's first defaults fell below
        // MostPopular by epoch 3) fails here, long before a full run would show it.
        var data = TestData.Ml100k();
        using var popular = new MostPopularScorer(data);
        double mostPopular = RankingEvaluator.Evaluate(popular, data, DataSplit.Validation).Recall(20);
        var singer = Train(new SingerModelBuilder().WithDataset(data));
        var lightGcn = LightGcn.Value;
        var curve = singer.Epochs.Select(e => e.Validation!.Recall(20)).ToArray();
        output.WriteLine($"MostPopular validation Recall@20 {mostPopular:F4}");
        output.WriteLine($"SINGER validation Recall@20 by epoch: {string.Join(" ", curve.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        output.WriteLine($"LightGCN validation Recall@20 after {Epochs} epochs: {lightGcn.Epochs[^1].Validation!.Recall(20):F4}; SINGER test Recall@20 {singer.Test!.Recall(20):F4}, LightGCN {lightGcn.Test!.Recall(20):F4}");
        curve.Skip(2).Should().OnlyContain(v => v > mostPopular, "from epoch 3 on, validation Recall@20 stays above MostPopular's");
        curve[^1].Should().BeGreaterThan(lightGcn.Epochs[^1].Validation!.Recall(20), "after the same epochs the default SINGER is ahead of LightGCN");
        output.WriteLine($"Diagnostics of the last epoch: {singer.Epochs[^1].Diagnostics}");

        // The check can fail: the specification's first values (the Paper preset) collapse below MostPopular.
        var paper = Train(SingerModelBuilder.Paper(data)).Epochs.Select(e => e.Validation!.Recall(20)).ToArray();
        output.WriteLine($"Paper preset validation Recall@20 by epoch: {string.Join(" ", paper.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        paper.Skip(2).Should().Contain(v => v < mostPopular);
    }
}
