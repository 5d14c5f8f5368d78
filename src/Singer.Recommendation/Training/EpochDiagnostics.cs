using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

/// <summary>
/// What a researcher needs to see a collapse before Recall shows it, measured on the last batch of an epoch: each
/// term's value and gradient norm on the ID embeddings, and the mean cosine between the behaviour representations
/// <c>b</c> and the fused semantic representations <c>s</c> of the batch's contrastive rows (null without a semantic branch).
/// </summary>
/// <param name="Terms">One entry per loss term, in the order BPR, perturbation, anchor, alignment, regularization.</param>
/// <param name="UserBehaviorSemanticCosine">mean cos(b_u, s_u) over the batch's contrastive users.</param>
/// <param name="ItemBehaviorSemanticCosine">mean cos(b_i, s_i) over the batch's contrastive items.</param>
public sealed record EpochDiagnostics(IReadOnlyList<LossTermDiagnostics> Terms, double? UserBehaviorSemanticCosine, double? ItemBehaviorSemanticCosine)
{
    /// <summary>One line: each term's value and gradient norms, then the cosines.</summary>
    public override string ToString() =>
        string.Join("; ", Terms.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Term} {t.Value:G4} (×{t.Weight:G3}, ‖∇E_u‖ {t.UserGradientNorm:G3}, ‖∇E_i‖ {t.ItemGradientNorm:G3})")))
        + (UserBehaviorSemanticCosine is { } u ? string.Create(CultureInfo.InvariantCulture, $"; cos(b, s) users {u:F3}, items {ItemBehaviorSemanticCosine:F3}") : "");
}
