using TorchSharp;

namespace Singer.Recommendation.Core;

/// <summary>
/// Anything that scores every item for a batch of users: a trained model, a baseline, a test double.
/// <see cref="RankingEvaluator"/> ranks with it.
/// </summary>
public interface IRankingScorer
{
    /// <summary>The number of items scored (columns of <see cref="ScoreUsers"/>).</summary>
    int ItemCount { get; }

    /// <summary>The device the scores are computed on.</summary>
    torch.Device Device { get; }

    /// <summary>Scores all items for the given users: higher is better.</summary>
    /// <param name="users">Internal user indices, <c>int64</c>, one dimension, on <see cref="Device"/>.</param>
    /// <returns>A new <c>float32</c> tensor <c>[users.Length, ItemCount]</c> on <see cref="Device"/>, owned by the caller.</returns>
    torch.Tensor ScoreUsers(torch.Tensor users);
}
