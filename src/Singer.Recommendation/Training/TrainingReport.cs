using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

/// <summary>The outcome of <see cref="SingerModel.Fit(IProgress{EpochReport}?, CancellationToken)"/>: per-epoch history, the best epoch, and the test metrics at it.</summary>
public sealed class TrainingReport
{
    internal TrainingReport(
        IReadOnlyList<EpochReport> epochs,
        int bestEpoch,
        EvaluationResult? bestValidation,
        EvaluationResult? test,
        TimeSpan elapsed,
        TrainingStopReason stopReason,
        int seed,
        string modelName,
        string metricName)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        BestValidation = bestValidation;
        Test = test;
        Elapsed = elapsed;
        StopReason = stopReason;
        Seed = seed;
        ModelName = modelName;
        MetricName = metricName;
    }

    /// <summary>Every epoch that ran, in order.</summary>
    public IReadOnlyList<EpochReport> Epochs { get; }

    /// <summary>The epoch whose parameters the model now holds (the best validation epoch; the last epoch without validation).</summary>
    public int BestEpoch { get; }

    /// <summary>Validation metrics at <see cref="BestEpoch"/>.</summary>
    public EvaluationResult? BestValidation { get; }

    /// <summary>Test metrics of the kept model (at <see cref="BestEpoch"/>); null when the data set has no test interactions.</summary>
    public EvaluationResult? Test { get; }

    /// <summary>Total wall time of <see cref="SingerModel.Fit(IProgress{EpochReport}?, CancellationToken)"/>.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Why training ended.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>The seed of the run.</summary>
    public int Seed { get; }

    /// <summary>"SINGER" or "LightGCN".</summary>
    public string ModelName { get; }

    /// <summary>The selection metric, for example <c>Recall@20</c>.</summary>
    public string MetricName { get; }

    /// <summary>The median wall time of a training epoch, in seconds.</summary>
    public double MedianEpochSeconds => Median(Epochs.Select(e => e.TrainSeconds));

    /// <summary>The median wall time of a validation pass, in seconds.</summary>
    public double MedianEvaluationSeconds => Median(Epochs.Where(e => e.Validation is not null).Select(e => e.EvaluationSeconds));

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"{ModelName}: {Epochs.Count} epochs ({StopReason}), best epoch {BestEpoch}, {Elapsed.TotalSeconds:F1} s; median epoch {MedianEpochSeconds:F3} s, median validation {MedianEvaluationSeconds:F3} s; seed {Seed}\n");
        if (BestValidation is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"validation {MetricName} at best epoch: {BestValidation.Get(ParseMetric(MetricName), ParseK(MetricName)):F4}\n");
        }

        if (Test is not null)
        {
            sb.Append(Test);
        }

        return sb.ToString();
    }

    private static RankingMetric ParseMetric(string name) => Enum.Parse<RankingMetric>(name[..name.IndexOf('@', StringComparison.Ordinal)]);

    private static int ParseK(string name) => int.Parse(name[(name.IndexOf('@', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
