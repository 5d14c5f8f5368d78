namespace Singer.Recommendation.Features;

/// <summary>Progress of a feature-encoding run: <see cref="Done"/> of <see cref="Total"/> items encoded.</summary>
/// <param name="Done">Items encoded so far.</param>
/// <param name="Total">Items in the run.</param>
public readonly record struct FeatureProgress(int Done, int Total)
{
    /// <summary>The fraction done, 0 to 1 (1 for an empty run).</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
