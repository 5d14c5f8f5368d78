using System.Globalization;
using System.Text;

namespace Singer.Recommendation.Core;

/// <summary>A ranking metric of <see cref="RankingEvaluator"/>.</summary>
public enum RankingMetric
{
    /// <summary>Hits in the top K divided by the user's relevant items.</summary>
    Recall,

    /// <summary>Normalised discounted cumulative gain with binary relevance and ideal length min(relevant, K).</summary>
    Ndcg,

    /// <summary>Hits in the top K divided by K.</summary>
    Precision,

    /// <summary>Mean average precision at K, normalised by min(relevant, K) as MMRec does.</summary>
    Map,

    /// <summary>1 when the top K holds at least one relevant item, else 0.</summary>
    HitRate,
}

/// <summary>The metrics at one cut-off K, averaged over the evaluated users.</summary>
/// <param name="K">The cut-off.</param>
/// <param name="Recall">Mean Recall@K.</param>
/// <param name="Ndcg">Mean NDCG@K.</param>
/// <param name="Precision">Mean Precision@K.</param>
/// <param name="Map">Mean MAP@K.</param>
/// <param name="HitRate">Mean HitRate@K.</param>
public sealed record RankingMetrics(int K, double Recall, double Ndcg, double Precision, double Map, double HitRate)
{
    /// <summary>The value of <paramref name="metric"/>.</summary>
    public double Get(RankingMetric metric) => metric switch
    {
        RankingMetric.Recall => Recall,
        RankingMetric.Ndcg => Ndcg,
        RankingMetric.Precision => Precision,
        RankingMetric.Map => Map,
        RankingMetric.HitRate => HitRate,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };
}

/// <summary>The result of a full-ranking evaluation of one split.</summary>
public sealed class EvaluationResult
{
    private readonly RankingMetrics[] _byK;

    /// <summary>Creates a result (for example when reading a saved training history).</summary>
    /// <exception cref="ArgumentException">The metrics are not in ascending, distinct K order.</exception>
    public EvaluationResult(DataSplit split, int userCount, IReadOnlyList<RankingMetrics> byK)
    {
        ArgumentNullException.ThrowIfNull(byK);
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        for (int i = 1; i < byK.Count; i++)
        {
            if (byK[i].K <= byK[i - 1].K)
            {
                throw new ArgumentException("The metrics must be in ascending, distinct K order.", nameof(byK));
            }
        }

        Split = split;
        UserCount = userCount;
        _byK = [.. byK];
    }

    /// <summary>The evaluated split.</summary>
    public DataSplit Split { get; }

    /// <summary>The number of users evaluated (users with at least one relevant item in the split).</summary>
    public int UserCount { get; }

    /// <summary>The metrics at each cut-off, ascending K.</summary>
    public IReadOnlyList<RankingMetrics> ByK => _byK;

    /// <summary>The metrics at cut-off <paramref name="k"/>.</summary>
    /// <exception cref="KeyNotFoundException">K was not evaluated.</exception>
    public RankingMetrics At(int k) => _byK.FirstOrDefault(m => m.K == k)
        ?? throw new KeyNotFoundException($"K = {k} was not evaluated; evaluated: {string.Join(", ", _byK.Select(m => m.K))}.");

    /// <summary><paramref name="metric"/> at cut-off <paramref name="k"/>.</summary>
    public double Get(RankingMetric metric, int k) => At(k).Get(metric);

    /// <summary>Recall@<paramref name="k"/>.</summary>
    public double Recall(int k) => At(k).Recall;

    /// <summary>NDCG@<paramref name="k"/>.</summary>
    public double Ndcg(int k) => At(k).Ndcg;

    /// <summary>A small fixed-width table of every metric at every K.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Split} ({UserCount} users)\n");
        sb.Append("     K   Recall     NDCG  Precision      MAP  HitRate\n");
        foreach (var m in _byK)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m.K,6} {m.Recall,8:F4} {m.Ndcg,8:F4} {m.Precision,10:F4} {m.Map,8:F4} {m.HitRate,8:F4}\n");
        }

        return sb.ToString();
    }
}
