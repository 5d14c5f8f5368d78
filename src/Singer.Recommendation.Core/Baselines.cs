using static TorchSharp.torch;

namespace Singer.Recommendation.Core;

/// <summary>
/// The most-popular baseline: every user gets the items ranked by training popularity (the number of
/// training users), ties to the lower item index (by <see cref="RankingEvaluator"/>).
/// </summary>
public sealed class MostPopularScorer : IRankingScorer, IDisposable
{
    private readonly Tensor _popularity;

    /// <summary>Creates the baseline from the training split of <paramref name="dataset"/> on <paramref name="device"/> (default CPU).</summary>
    public MostPopularScorer(InteractionDataset dataset, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Device = device ?? CPU;
        ItemCount = dataset.ItemCount;
        var counts = dataset.ItemPopularity.ToArray().Select(c => (float)c).ToArray();
        using var cpu = tensor(counts);
        _popularity = cpu.to(Device).unsqueeze(0).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public Tensor ScoreUsers(Tensor users)
    {
        ArgumentNullException.ThrowIfNull(users);
        return _popularity.expand(users.shape[0], ItemCount).clone();
    }

    /// <inheritdoc />
    public void Dispose() => _popularity.Dispose();
}

/// <summary>The random baseline: uniform random scores from a seeded generator (the same seed gives the same rankings).</summary>
public sealed class RandomScorer : IRankingScorer, IDisposable
{
    private readonly Generator _generator;

    /// <summary>Creates the baseline for <paramref name="itemCount"/> items.</summary>
    public RandomScorer(int itemCount, int seed = 42, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        ItemCount = itemCount;
        Device = device ?? CPU;
        _generator = new Generator((ulong)seed, CPU);
    }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public Tensor ScoreUsers(Tensor users)
    {
        ArgumentNullException.ThrowIfNull(users);
        using var cpu = rand(new[] { users.shape[0], (long)ItemCount }, generator: _generator);
        return cpu.to(Device, copy: true);
    }

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
