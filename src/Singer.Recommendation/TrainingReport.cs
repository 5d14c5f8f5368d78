using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

/// <summary>The mean of each loss term over an epoch's batches (SPEC §5); terms of switched-off parts are 0.</summary>
/// <param name="Total">The weighted total that was minimised.</param>
/// <param name="Bpr">L_BPR.</param>
/// <param name="Perturbation">L_pert (unweighted).</param>
/// <param name="Anchor">L_anchor (unweighted).</param>
/// <param name="Alignment">L_align (unweighted).</param>
/// <param name="Regularization">The L2 term (unweighted).</param>
public sealed record LossBreakdown(double Total, double Bpr, double Perturbation, double Anchor, double Alignment, double Regularization);

/// <summary>
/// One loss term's value on the diagnostic batch and the norm of its weighted gradient on the ID embeddings: how hard
/// the term pulled <c>E_u</c> and <c>E_i</c> in that step (<c>‖λ·∂L/∂E‖</c>, Frobenius).
/// </summary>
/// <param name="Term">"BPR", "perturbation", "anchor", "alignment" or "regularization".</param>
/// <param name="Value">The unweighted term on the diagnostic batch.</param>
/// <param name="Weight">The weight that multiplied it in the total (warm-up included).</param>
/// <param name="UserGradientNorm">‖weight · ∂term/∂E_u‖.</param>
/// <param name="ItemGradientNorm">‖weight · ∂term/∂E_i‖.</param>
public sealed record LossTermDiagnostics(string Term, double Value, double Weight, double UserGradientNorm, double ItemGradientNorm);

/// <summary>
/// What a researcher needs to see a collapse before Recall shows it, measured on the last batch of an epoch: each
/// term's value and gradient norm on the ID embeddings, and the mean cosine between the behaviour representations
/// <c>b</c> and the fused semantic representations <c>s</c> of the batch's contrastive rows (null without a semantic branch).
/// </summary>
/// <param name="Terms">One entry per loss term, in the order BPR, perturbation, anchor, alignment, regularization.</param>
/// <param name="UserBehaviorSemanticCosine">mean cos(b_u, s_u) over the batch's contrastive users.</param>
/// <param name="ItemBehaviorSemanticCosine">mean cos(b_i, s_i) over the batch's contrastive items.</param>
public sealed record EpochDiagnostics(IReadOnlyList<LossTermDiagnostics> Terms, double? UserBehaviorSemanticCosine, double? ItemBehaviorSemanticCosine)
{
    /// <summary>One line: each term's value and gradient norms, then the cosines.</summary>
    public override string ToString() =>
        string.Join("; ", Terms.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Term} {t.Value:G4} (×{t.Weight:G3}, ‖∇E_u‖ {t.UserGradientNorm:G3}, ‖∇E_i‖ {t.ItemGradientNorm:G3})")))
        + (UserBehaviorSemanticCosine is { } u ? string.Create(CultureInfo.InvariantCulture, $"; cos(b, s) users {u:F3}, items {ItemBehaviorSemanticCosine:F3}") : "");
}

/// <summary>What happened in one epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean loss terms.</param>
/// <param name="Validation">Validation metrics, when this epoch was evaluated.</param>
/// <param name="TrainSeconds">Wall time of the training pass.</param>
/// <param name="EvaluationSeconds">Wall time of the validation pass (0 when not evaluated).</param>
/// <param name="IsBest">Whether this epoch set a new best validation score.</param>
public sealed record EpochReport(int Epoch, LossBreakdown Loss, EvaluationResult? Validation, double TrainSeconds, double EvaluationSeconds, bool IsBest)
{
    /// <summary>The epoch's diagnostics (<see cref="TrainingOptions.Diagnostics"/>); null when they are off.</summary>
    public EpochDiagnostics? Diagnostics { get; init; }
}

/// <summary>Why training ended.</summary>
public enum TrainingStopReason
{
    /// <summary>All epochs ran.</summary>
    MaxEpochs,

    /// <summary>The validation metric did not improve for <see cref="TrainingOptions.Patience"/> evaluations.</summary>
    EarlyStopping,

    /// <summary>The cancellation token fired; the best model so far was kept.</summary>
    Cancelled,
}

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

/// <summary>
/// Training produced a non-finite loss. The model keeps its last good parameters (the best validation epoch, or
/// the parameters before the failing epoch); <see cref="Report"/> describes the epochs that completed.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    internal TrainingDivergedException(int epoch, string term, double value, TrainingReport report)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged in epoch {epoch}: the {term} loss became {value}. The model keeps its last good parameters (epoch {report.BestEpoch}). Lower the learning rate, check the features for extreme values, or reduce the loss weights."))
    {
        Epoch = epoch;
        Term = term;
        Report = report;
    }

    /// <summary>The epoch in which the loss became non-finite (1-based).</summary>
    public int Epoch { get; }

    /// <summary>The loss term that was non-finite first (BPR, perturbation, anchor, alignment, regularization, total).</summary>
    public string Term { get; }

    /// <summary>The epochs that completed before the failure.</summary>
    public TrainingReport Report { get; }
}
