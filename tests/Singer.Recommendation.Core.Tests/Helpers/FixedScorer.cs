using TorchSharp;

namespace Singer.Recommendation.Core.Tests.Helpers;

/// <summary>A test double that returns fixed scores: row <c>u</c> of the score rows for user <c>u</c>.</summary>
internal sealed class FixedScorer : IRankingScorer
{
    private readonly float[][] _scores;

    public FixedScorer(params float[][] scores)
    {
        _scores = scores;
        ItemCount = scores[0].Length;
    }

    public int ItemCount { get; init; }

    public torch.Device Device => torch.CPU;

    /// <summary>Every user index the evaluator asked for, in order.</summary>
    public List<long> RequestedUsers { get; } = [];

    /// <summary>Replaces the returned tensor's shape (a broken scorer); null returns the real scores.</summary>
    public long[]? WrongShape { get; init; }

    public torch.Tensor ScoreUsers(torch.Tensor users)
    {
        var ids = users.data<long>().ToArray();
        RequestedUsers.AddRange(ids);
        if (WrongShape is { } shape)
        {
            return torch.zeros(shape);
        }

        var flat = ids.SelectMany(u => _scores[u]).ToArray();
        return torch.tensor(flat, new long[] { ids.Length, _scores[0].Length });
    }
}
