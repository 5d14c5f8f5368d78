using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

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
