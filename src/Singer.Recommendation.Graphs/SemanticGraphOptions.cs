using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

/// <summary>Options of <see cref="SemanticGraph.Build"/>: the Enhanced Item-Item Semantic Graph of SPEC §1.</summary>
public sealed record SemanticGraphOptions
{
    /// <summary>The modality kNN graphs' options (SPEC §1.1), the same for every modality. Default: <c>new KnnGraphOptions()</c> (k = 20, cosine weights, self excluded).</summary>
    public KnnGraphOptions Knn { get; init; } = new();

    /// <summary>Neighbours kept per item in the co-interaction graph, <c>k_c</c> (SPEC §1.2). Default 10. Must be ≥ 1 and &lt; the item count.</summary>
    public int CoInteractionK { get; init; } = Defaults.CoInteractionK;

    /// <summary>
    /// How the co-interaction graph ranks and weights neighbours (SPEC §8.4): the raw count <c>c_ij</c> (default), the
    /// cosine <c>c_ij/√(n_i n_j)</c> or the Jaccard index of the items' user sets.
    /// </summary>
    public CoInteractionWeighting CoInteractionWeighting { get; init; } = Defaults.CoInteractionWeighting;

    /// <summary>
    /// The fusion weight β of <c>Ŝ^m = (1 − β)·norm(S^m) + β·norm(C)</c> (SPEC §1.4). Default 0.3. Must be in [0, 1]:
    /// 0 is the plain modality graph, 1 the pure co-interaction graph.
    /// </summary>
    public float Beta { get; init; } = Defaults.Beta;

    /// <summary>Every problem of these options for a data set with <paramref name="itemCount"/> items and <paramref name="modalityCount"/> modalities, without throwing.</summary>
    public IReadOnlyList<OptionProblem> Problems(int itemCount, int modalityCount, torch.Device? device = null)
    {
        var problems = new ProblemList();
        AddProblems(problems, itemCount, modalityCount, device ?? torch.CPU);
        return problems.Problems.ToArray();
    }

    internal void Validate(int itemCount, int modalityCount, torch.Device device)
    {
        var problems = new ProblemList();
        AddProblems(problems, itemCount, modalityCount, device);
        problems.ThrowIfAny(nameof(SemanticGraphOptions));
    }

    private void AddProblems(ProblemList problems, int itemCount, int modalityCount, torch.Device device)
    {
        const string Prefix = nameof(SemanticGraphOptions) + ".";
        if (Knn is null)
        {
            problems.Add(Prefix + nameof(Knn), $"is null; use new {nameof(KnnGraphOptions)}() for the defaults.");
        }
        else
        {
            Knn.AddProblems(problems, itemCount, selfGraph: true, device, prefix: $"{Prefix}{nameof(Knn)}.");
        }

        new CoInteractionGraphOptions { K = CoInteractionK, Weighting = CoInteractionWeighting }
            .AddProblems(problems, itemCount, Prefix + nameof(CoInteractionK), Prefix + nameof(CoInteractionWeighting));
        AddBetaProblem(problems, Beta, Prefix + nameof(Beta));
        problems.AddIf(modalityCount == 0, "dataset", "has no item modality; the semantic graph needs at least one (SPEC §1.1).");
    }

    internal static void AddBetaProblem(ProblemList problems, float beta, string option) =>
        problems.AddIf(!(beta >= 0f && beta <= 1f), option, $"must be in [0, 1]; got {beta}.");
}
