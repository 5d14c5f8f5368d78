using Singer.Recommendation.Core;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Core.Tests;

/// <summary>The foundation's exact reference on real data (issue "Foundation", Must show).</summary>
public sealed class Ml100kReferenceTests
{
    [SkippableFact]
    public void Loader_reads_the_documented_shape()
    {
        var ds = TestData.Ml100k();
        ds.UserCount.Should().Be(943);
        ds.ItemCount.Should().Be(1682);
        ds.Train.Count.Should().Be(75_000);
        ds.Validation.Count.Should().Be(12_000);
        ds.Test.Count.Should().Be(13_000);
        ds.Modalities.Select(m => (m.Name, m.Dimension)).Should().BeEquivalentTo(new[] { ("genre", 19), ("text", 384) });
    }

    [SkippableFact]
    public void MostPopular_matches_the_reference_figures_to_four_decimals()
    {
        var ds = TestData.Ml100k();
        using var scorer = new MostPopularScorer(ds);
        var test = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Test);
        test.UserCount.Should().Be(904);
        Math.Round(test.Recall(20), 4).Should().Be(0.1704);
        Math.Round(test.Ndcg(20), 4).Should().Be(0.1582);
        Math.Round(test.Recall(10), 4).Should().Be(0.1111);
        Math.Round(test.Ndcg(10), 4).Should().Be(0.1468);
        Math.Round(test.At(20).Precision, 4).Should().Be(0.0963);

        var validation = RankingEvaluator.Evaluate(scorer, ds, DataSplit.Validation);
        validation.UserCount.Should().Be(900);
        Math.Round(validation.Recall(20), 4).Should().Be(0.1706);
        Math.Round(validation.Ndcg(20), 4).Should().Be(0.1466);
    }
}
