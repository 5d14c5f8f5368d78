namespace Singer.Recommendation.Graphs;

/// <summary>
/// The default of every graph option, in one place: the option records and the short overloads read them from
/// here, and the XML docs quote them (SINGER-SPEC §1).
/// </summary>
internal static class Defaults
{
    /// <summary>
    /// Neighbours per item in a modality kNN graph: 20 (SPEC §1.1 says 10; 20 was chosen on MovieLens-100K validation,
    /// docs/results.md).
    /// </summary>
    public const int KnnK = 20;

    /// <summary>Neighbours per item in the co-interaction graph (SPEC §1.2): 10.</summary>
    public const int CoInteractionK = 10;

    /// <summary>How the co-interaction graph ranks and weights neighbours (SPEC §1.2 and §8.4): the raw count.</summary>
    public const CoInteractionWeighting CoInteractionWeighting = Graphs.CoInteractionWeighting.Count;

    /// <summary>Weight of the co-interaction graph in the fused semantic graph (SPEC §1.4): 0.3.</summary>
    public const float Beta = 0.3f;

    /// <summary>Whether an item may be its own neighbour: false (FREEDOM/MGCN parity needs true).</summary>
    public const bool IncludeSelf = false;

    /// <summary>Edge weights of the kNN graph: the cosine.</summary>
    public const KnnEdgeWeight Weight = KnnEdgeWeight.Cosine;

    /// <summary>Memory for one block of similarities: 256 MiB.</summary>
    public const long MemoryBudgetBytes = 256L * 1024 * 1024;

    /// <summary>Precision of the block products: float32.</summary>
    public const KnnPrecision Precision = KnnPrecision.Float32;

    /// <summary>Extra candidates re-scored in float32 after a reduced-precision product: 32.</summary>
    public const int ReducedPrecisionExtraCandidates = 32;

    /// <summary>The tallest block the CPU path sizes from the budget: 1,024 rows (the GEMM is at full rate there).</summary>
    public const int PreferredCpuBlockRows = 1024;

    /// <summary>A CPU block may be taller than <see cref="PreferredCpuBlockRows"/> while it stays within 64 MiB (small catalogues).</summary>
    public const long PreferredCpuBlockBytes = 64L * 1024 * 1024;

    /// <summary>The largest block the CPU path allocates, whatever the budget: 1 GiB (one .NET array, spans of int length).</summary>
    public const long MaxCpuBlockBytes = 1L << 30;
}
