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
    private const int Epochs = 25;

    private static readonly Lazy<TrainingReport> LightGcn = new(() => Train(SingerModelBuilder.LightGcn(TestData.Ml100k())));

    private static TrainingReport Train(SingerModelBuilder builder)
    {
        using var model = builder.WithTraining(t => t.MaxEpochs(Epochs).WithoutEarlyStopping().EvaluateEvery(Epochs)).WithSeed(999).Build();
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
    public void Default_Singer_beats_LightGcn_at_the_same_epoch()
    {
        var data = TestData.Ml100k();
        var singer = Train(new SingerModelBuilder().WithDataset(data));
        var lightGcn = LightGcn.Value;
        output.WriteLine($"SINGER after {Epochs} epochs: test Recall@20 {singer.Test!.Recall(20):F4}, NDCG@20 {singer.Test.Ndcg(20):F4}; median epoch {singer.MedianEpochSeconds:F3} s");
        output.WriteLine($"LightGCN after {Epochs} epochs: test Recall@20 {lightGcn.Test!.Recall(20):F4}, NDCG@20 {lightGcn.Test.Ndcg(20):F4}");
        singer.Test.Recall(20).Should().BeGreaterThan(lightGcn.Test.Recall(20) * 1.05);
        singer.Test.Ndcg(20).Should().BeGreaterThan(lightGcn.Test.Ndcg(20) * 1.05);
    }
}
