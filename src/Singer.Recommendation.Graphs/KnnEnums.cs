namespace Singer.Recommendation.Graphs;

/// <summary>The weight of an edge <c>i → j</c> of a modality kNN graph (SPEC §1.1).</summary>
public enum KnnEdgeWeight
{
    /// <summary>
    /// The cosine similarity <c>cos(f_i, f_j)</c> (the default). Edges whose cosine is ≤ 0 are dropped, so an item
    /// can have fewer than k edges and no row sum is ever negative or zero because of cancellation.
    /// </summary>
    Cosine,

    /// <summary>Weight 1 for each of the k neighbours, whatever their cosine (FREEDOM/MGCN parity).</summary>
    Binary,
}

/// <summary>
/// How the co-interaction graph <c>C</c> ranks and weights an item's neighbours (SPEC §8.4). <c>c_ij</c> is the number of
/// training users who interacted with both items, <c>n_i</c> an item's number of training users.
/// </summary>
public enum CoInteractionWeighting
{
    /// <summary>The raw count <c>c_ij</c> (SPEC §1.2): popular items dominate every neighbour list.</summary>
    Count,

    /// <summary>The cosine of the items' user sets, <c>c_ij / √(n_i · n_j)</c>: association rather than popularity.</summary>
    Cosine,

    /// <summary>The Jaccard index of the items' user sets, <c>c_ij / (n_i + n_j − c_ij)</c>.</summary>
    Jaccard,
}

/// <summary>The precision of the block products <c>X_b · Xᵀ</c> of the kNN builder.</summary>
public enum KnnPrecision
{
    /// <summary>float32 products everywhere (the default; the only choice on the CPU).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The precision is named after the number format, as in torch.")]
    Float32,

    /// <summary>
    /// bfloat16 products on CUDA, followed by an exact float32 re-scoring of the candidates and a certified check
    /// of each row's boundary (<see cref="KnnGraphOptions.ReducedPrecisionTolerance"/>).
    /// </summary>
    BFloat16,

    /// <summary>float16 products on CUDA, with the same float32 re-scoring and boundary check as <see cref="BFloat16"/>.</summary>
    Float16,
}
