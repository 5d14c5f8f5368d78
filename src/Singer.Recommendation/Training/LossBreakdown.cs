using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation;

/// <summary>The mean of each loss term over an epoch's batches (SPEC §5); terms of switched-off parts are 0.</summary>
/// <param name="Total">The weighted total that was minimised.</param>
/// <param name="Bpr">L_BPR.</param>
/// <param name="Perturbation">L_pert (unweighted).</param>
/// <param name="Anchor">L_anchor (unweighted).</param>
/// <param name="Alignment">L_align (unweighted).</param>
/// <param name="Regularization">The L2 term (unweighted).</param>
public sealed record LossBreakdown(double Total, double Bpr, double Perturbation, double Anchor, double Alignment, double Regularization);
