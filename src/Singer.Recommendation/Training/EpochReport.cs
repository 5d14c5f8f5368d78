using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

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
