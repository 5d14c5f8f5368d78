using TorchSharp;

namespace Singer.Recommendation.Graphs;

/// <summary>Options of <see cref="KnnSimilarityGraph"/>: the modality kNN graph <c>S^m</c> of SPEC §1.1.</summary>
public sealed record KnnGraphOptions
{
    /// <summary>Neighbours kept per item, <c>k</c>. Default 20 (the specification's 10 is the <c>Paper</c> preset). Must be ≥ 1 and &lt; the item count (≤ with <see cref="IncludeSelf"/>).</summary>
    public int K { get; init; } = Defaults.KnnK;

    /// <summary>
    /// Whether an item may be its own neighbour. Default false (SPEC §1.1: top-k items <c>j ≠ i</c>). FREEDOM and MGCN
    /// include the item itself (its self-similarity is 1), so set true for parity with them.
    /// </summary>
    public bool IncludeSelf { get; init; } = Defaults.IncludeSelf;

    /// <summary>Edge weights: the cosine (default; edges with cosine ≤ 0 are dropped) or 1 for every one of the k neighbours.</summary>
    public KnnEdgeWeight Weight { get; init; } = Defaults.Weight;

    /// <summary>
    /// Memory for one block of similarities (<c>B × N</c> values), in bytes; sets the block height <c>B</c>. Default 256 MiB.
    /// Must be &gt; 0; a budget below one row still computes one row at a time. On the CPU a block has at most 1,024 rows
    /// or 64 MiB, whichever is more (the GEMM is at full rate there, and fresh memory costs page faults), so the default
    /// budget binds from about 65,000 items.
    /// On a GPU raise it (several GiB on an 80 GB card): fewer, larger blocks amortise the per-block launches.
    /// The normalised feature copy (<c>N × d</c> floats) and the result (<c>O(N·k)</c>) come on top.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = Defaults.MemoryBudgetBytes;

    /// <summary>Rows per block, overriding <see cref="MemoryBudgetBytes"/> (for tests and benchmarks). Default null. Must be ≥ 1 when set.</summary>
    public int? BlockRows { get; init; }

    /// <summary>
    /// Precision of the block products. Default <see cref="KnnPrecision.Float32"/>; <see cref="KnnPrecision.BFloat16"/> and
    /// <see cref="KnnPrecision.Float16"/> run on CUDA only: the reduced-precision product proposes
    /// <c>k + </c><see cref="ReducedPrecisionExtraCandidates"/> candidates per row, they are re-scored exactly in float32, and a
    /// row whose boundary is not certified by <see cref="ReducedPrecisionTolerance"/> is recomputed in float32.
    /// </summary>
    public KnnPrecision Precision { get; init; } = Defaults.Precision;

    /// <summary>
    /// Candidates beyond k that a reduced-precision product proposes for float32 re-scoring. Default 32. Must be ≥ 0.
    /// More candidates put the certified boundary further down, so fewer rows fall back to float32.
    /// </summary>
    public int ReducedPrecisionExtraCandidates { get; init; } = Defaults.ReducedPrecisionExtraCandidates;

    /// <summary>
    /// The largest difference assumed between a reduced-precision similarity and its float32 value when a row's
    /// boundary is certified. Default null: the worst-case rounding bound of the precision
    /// (<c>3u + d·2⁻²⁴</c> with unit round-off <c>u = 2⁻⁸</c> for bfloat16 and <c>2⁻¹¹</c> for float16, for unit vectors),
    /// under which the graph equals the float32 graph. A smaller tolerance certifies more rows (fewer float32
    /// recomputations); a neighbour can then differ from float32 only where an uncandidated item's float32 similarity
    /// was within the true rounding error of the k-th neighbour's (a near-tie). Must be ≥ 0 and finite when set.
    /// </summary>
    public float? ReducedPrecisionTolerance { get; init; }

    /// <summary>Test hook: run the device (CUDA) selection path even on the CPU, reduced precision included.</summary>
    internal bool ForceDeviceSelection { get; init; }

    /// <summary>Whether the device selection path runs for <paramref name="device"/>.</summary>
    internal bool UsesDevicePath(torch.Device device) => ForceDeviceSelection || device.type != DeviceType.CPU;

    /// <summary>Checks the options against a graph with <paramref name="columnCount"/> columns and throws every problem at once.</summary>
    /// <param name="columnCount">Items that can be neighbours.</param>
    /// <param name="selfGraph">True for an item × item graph (self exclusion applies), false for queries × base items.</param>
    /// <param name="device">The device the build runs on.</param>
    internal void Validate(int columnCount, bool selfGraph, torch.Device device)
    {
        var problems = new ProblemList();
        AddProblems(problems, columnCount, selfGraph, device, $"{nameof(KnnGraphOptions)}.");
        problems.ThrowIfAny(nameof(KnnGraphOptions));
    }

    internal void AddProblems(ProblemList problems, int columnCount, bool selfGraph, torch.Device device, string prefix)
    {
        int maxK = selfGraph && !IncludeSelf ? columnCount - 1 : columnCount;
        string limit = selfGraph && !IncludeSelf
            ? $"< the item count ({columnCount})"
            : selfGraph ? $"≤ the item count ({columnCount}) with {nameof(IncludeSelf)}" : $"≤ the base item count ({columnCount})";
        problems.AddIf(K < 1 || K > maxK, $"{prefix}{nameof(K)}", $"must be ≥ 1 and {limit}; got {K}.");
        problems.AddIf(MemoryBudgetBytes <= 0, $"{prefix}{nameof(MemoryBudgetBytes)}", $"must be > 0 bytes; got {MemoryBudgetBytes}.");
        problems.AddIf(BlockRows is < 1, $"{prefix}{nameof(BlockRows)}", $"must be ≥ 1 when set (null sizes blocks from {nameof(MemoryBudgetBytes)}); got {BlockRows}.");
        problems.AddIf(!Enum.IsDefined(Weight), $"{prefix}{nameof(Weight)}", $"must be {nameof(KnnEdgeWeight.Cosine)} or {nameof(KnnEdgeWeight.Binary)}; got {(int)Weight}.");
        problems.AddIf(!Enum.IsDefined(Precision), $"{prefix}{nameof(Precision)}",
            $"must be {nameof(KnnPrecision.Float32)}, {nameof(KnnPrecision.BFloat16)} or {nameof(KnnPrecision.Float16)}; got {(int)Precision}.");
        problems.AddIf(Precision is KnnPrecision.BFloat16 or KnnPrecision.Float16 && !UsesDevicePath(device), $"{prefix}{nameof(Precision)}",
            $"reduced precision ({Precision}) runs on CUDA only; use {nameof(KnnPrecision.Float32)} on the CPU.");
        problems.AddIf(ReducedPrecisionExtraCandidates < 0, $"{prefix}{nameof(ReducedPrecisionExtraCandidates)}",
            $"must be ≥ 0; got {ReducedPrecisionExtraCandidates}.");
        problems.AddIf(ReducedPrecisionTolerance is { } t && (!float.IsFinite(t) || t < 0), $"{prefix}{nameof(ReducedPrecisionTolerance)}",
            $"must be finite and ≥ 0 when set (null takes the worst-case rounding bound); got {ReducedPrecisionTolerance}.");
    }
}
