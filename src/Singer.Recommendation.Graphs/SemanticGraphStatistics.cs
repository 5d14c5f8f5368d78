using System.Globalization;
using System.Text;

namespace Singer.Recommendation.Graphs;

/// <summary>Counts that describe one fused semantic graph <c>Ŝ^m</c> (printed by the samples; <see cref="SemanticGraph.Statistics"/>).</summary>
/// <param name="Modality">The modality.</param>
/// <param name="ItemCount">Items (rows and columns).</param>
/// <param name="Beta">The fusion weight β.</param>
/// <param name="ModalityEdges">Entries of the raw kNN graph <c>S^m</c>.</param>
/// <param name="CoInteractionEdges">Entries of the raw co-interaction graph <c>C</c>.</param>
/// <param name="FusedEdges">Entries of the fused graph.</param>
/// <param name="EdgesFromModalityOnly">Fused entries present in <c>norm(S^m)</c> only.</param>
/// <param name="EdgesFromCoInteractionOnly">Fused entries present in <c>norm(C)</c> only.</param>
/// <param name="EdgesFromBoth">Fused entries present in both.</param>
/// <param name="ModalityWeightShare">Share of the fused weight (sum of |values|) contributed by <c>(1 − β)·norm(S^m)</c>.</param>
/// <param name="CoInteractionWeightShare">Share of the fused weight contributed by <c>β·norm(C)</c>.</param>
/// <param name="IsolatedItems">Items with no entry in their fused row.</param>
/// <param name="DegreeHistogram">Element d = the number of items whose fused row has d entries.</param>
public sealed record SemanticGraphStatistics(
    string Modality,
    int ItemCount,
    float Beta,
    int ModalityEdges,
    int CoInteractionEdges,
    int FusedEdges,
    int EdgesFromModalityOnly,
    int EdgesFromCoInteractionOnly,
    int EdgesFromBoth,
    double ModalityWeightShare,
    double CoInteractionWeightShare,
    int IsolatedItems,
    IReadOnlyList<int> DegreeHistogram)
{
    /// <summary>The mean number of entries per fused row.</summary>
    public double MeanDegree => ItemCount == 0 ? 0 : (double)FusedEdges / ItemCount;

    /// <summary>The largest number of entries in a fused row.</summary>
    public int MaxDegree => DegreeHistogram.Count - 1;

    /// <summary>Share of fused entries that come from the modality graph (alone or with the co-interaction graph).</summary>
    public double ModalityEdgeShare => FusedEdges == 0 ? 0 : (double)(EdgesFromModalityOnly + EdgesFromBoth) / FusedEdges;

    /// <summary>Share of fused entries that come from the co-interaction graph (alone or with the modality graph).</summary>
    public double CoInteractionEdgeShare => FusedEdges == 0 ? 0 : (double)(EdgesFromCoInteractionOnly + EdgesFromBoth) / FusedEdges;

    /// <summary>A readable multi-line summary.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"Semantic graph '{Modality}' (β = {Beta:0.###}): {ItemCount:N0} items, {FusedEdges:N0} entries (mean degree {MeanDegree:F2}, max {MaxDegree}), {IsolatedItems:N0} isolated items").AppendLine();
        sb.Append(c, $"  raw graphs: kNN {ModalityEdges:N0} entries, co-interaction {CoInteractionEdges:N0} entries").AppendLine();
        sb.Append(c, $"  entries from kNN only {EdgesFromModalityOnly:N0}, co-interaction only {EdgesFromCoInteractionOnly:N0}, both {EdgesFromBoth:N0} ");
        sb.Append(c, $"(kNN side {ModalityEdgeShare:P1}, co-interaction side {CoInteractionEdgeShare:P1})").AppendLine();
        sb.Append(c, $"  weight share: kNN {ModalityWeightShare:P1}, co-interaction {CoInteractionWeightShare:P1}").AppendLine();
        sb.Append("  degree histogram: ");
        sb.AppendJoin(", ", DegreeHistogram.Select((n, d) => (n, d)).Where(p => p.n > 0).Select(p => string.Create(c, $"{p.d}: {p.n:N0}")));
        return sb.ToString();
    }
}
