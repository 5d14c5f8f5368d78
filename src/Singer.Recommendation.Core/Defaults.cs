namespace Singer.Recommendation.Core;

/// <summary>
/// The default of every option of Core, in one place: the options and the short overloads read them from here, and
/// the XML docs quote them. Internal, so that callers' builds do not bake them in.
/// </summary>
internal static class Defaults
{
    /// <summary>The share of items that the cold-start protocol makes cold (SPEC §6): 20 %.</summary>
    public const double ColdItemFraction = 0.2;

    /// <summary>
    /// The fused top-k kernel's tile buffer: 512 KiB, half the L2 cache of one core on current x86 servers (the item tile
    /// of the product shares it), but never fewer than 1,024 columns per product, below which the BLAS call overhead shows.
    /// </summary>
    public const long TileBytes = 1L << 19;
}
