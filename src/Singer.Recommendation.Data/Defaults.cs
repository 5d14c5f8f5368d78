namespace Singer.Recommendation;

/// <summary>
/// The default of every option of the data layer, in one place: the options and the short overloads read them from
/// here, and the XML docs quote them. Internal, so that callers' builds do not bake them in.
/// </summary>
internal static class Defaults
{
    /// <summary>The seed of MMRec's per-user 80/10/10 split when the data has no split column: 42, as MMRec's preprocessing.</summary>
    public const int SplitSeed = 42;
}
