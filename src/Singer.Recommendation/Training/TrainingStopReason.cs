using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

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
