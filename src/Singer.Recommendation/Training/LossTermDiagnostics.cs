using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

/// <summary>
/// One loss term's value on the diagnostic batch and the norm of its weighted gradient on the ID embeddings: how hard
/// the term pulled <c>E_u</c> and <c>E_i</c> in that step (<c>‖λ·∂L/∂E‖</c>, Frobenius).
/// </summary>
/// <param name="Term">"BPR", "perturbation", "anchor", "alignment" or "regularization".</param>
/// <param name="Value">The unweighted term on the diagnostic batch.</param>
/// <param name="Weight">The weight that multiplied it in the total (warm-up included).</param>
/// <param name="UserGradientNorm">‖weight · ∂term/∂E_u‖.</param>
/// <param name="ItemGradientNorm">‖weight · ∂term/∂E_i‖.</param>
public sealed record LossTermDiagnostics(string Term, double Value, double Weight, double UserGradientNorm, double ItemGradientNorm);
