using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Losses;

/// <summary>
/// The loss terms of SINGER (<c>docs/algorithm.md</c> §3–5): BPR, InfoNCE, anchor-based InfoNCE and the L2 term
/// on the batch's ego embeddings. Each returns a scalar tensor that carries gradient to its inputs.
/// </summary>
public static class RecommendationLosses
{
    /// <summary>
    /// Bayesian personalised ranking: <c>−mean log σ(pos − neg)</c>, computed with libtorch's stable
    /// <c>log_sigmoid</c> so that a large margin never overflows.
    /// </summary>
    /// <param name="positiveScores">Scores <c>ŷ_u,pos</c>, one per triple.</param>
    /// <param name="negativeScores">Scores <c>ŷ_u,neg</c>, aligned with <paramref name="positiveScores"/>.</param>
    public static Tensor Bpr(Tensor positiveScores, Tensor negativeScores)
    {
        ArgumentNullException.ThrowIfNull(positiveScores);
        ArgumentNullException.ThrowIfNull(negativeScores);
        using var scope = NewDisposeScope();
        // The same function as softplus(neg − pos), whose TorchSharp wrapper makes implicit Scalars (see ScalarSafe).
        return (positiveScores - negativeScores).log_sigmoid().mean().neg().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// InfoNCE between two aligned views: <c>−mean_n log( exp(cos(a_n, b_n)/τ) / Σ_n' exp(cos(a_n, b_n')/τ) )</c>,
    /// with the denominator computed by log-sum-exp (no overflow). Zero rows have cosine 0 with everything.
    /// </summary>
    /// <param name="a">The first view, <c>[n, d]</c>; row <c>n</c> is the anchor of row <c>n</c> of <paramref name="b"/>.</param>
    /// <param name="b">The second view, <c>[n, d]</c>.</param>
    /// <param name="temperature">τ &gt; 0; default 0.2.</param>
    public static Tensor InfoNce(Tensor a, Tensor b, float temperature = Defaults.Temperature)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        CheckViews(a, b, temperature);
        using var scope = NewDisposeScope();
        // The temperature scales the n × d operand, not the n × n logits (one pass fewer over the big matrix).
        var an = Normalize(a).DividedBy(temperature);
        var bn = Normalize(b);
        var logits = an.matmul(bn.t());
        // −log softmax of the diagonal: logsumexp_row − diag.
        var loss = LogSumExp(logits) - logits.diagonal();
        return loss.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The symmetric InfoNCE <c>InfoNCE(a, b) + InfoNCE(b, a)</c> (SPEC §4's standard alignment). Both directions share
    /// one similarity matrix: the second is the first transposed, so it costs one product instead of two.
    /// </summary>
    public static Tensor SymmetricInfoNce(Tensor a, Tensor b, float temperature = Defaults.Temperature)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        CheckViews(a, b, temperature);
        using var scope = NewDisposeScope();
        var logits = Normalize(a).DividedBy(temperature).matmul(Normalize(b).t());
        var diagonal = logits.diagonal();
        var rows = LogSumExp(logits) - diagonal;
        var columns = LogSumExp(logits.t()) - diagonal;
        return rows.mean().Plus(columns.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Anchor-based InfoNCE (SPEC §4): <see cref="InfoNce"/> with the behaviour representations as anchors. With
    /// <paramref name="stopAnchorGradient"/> (the default) the anchors are detached, so only the semantic side learns
    /// from this term.
    /// </summary>
    public static Tensor AnchorInfoNce(Tensor anchors, Tensor others, float temperature = Defaults.Temperature, bool stopAnchorGradient = true)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (!stopAnchorGradient)
        {
            return InfoNce(anchors, others, temperature);
        }

        using var detached = anchors.detach();
        return InfoNce(detached, others, temperature);
    }

    /// <summary>
    /// The L2 term on the batch's ego (layer-0) embeddings: <c>(Σ_t ‖t‖²) / batchSize</c>, as in SPEC §5
    /// <c>(‖E_u[b]‖² + ‖E_i[pos]‖² + ‖E_i[neg]‖²)/|batch|</c>.
    /// </summary>
    public static Tensor EmbeddingL2(long batchSize, params Tensor[] egoEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(egoEmbeddings);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (egoEmbeddings.Length == 0)
        {
            throw new ArgumentException("At least one embedding tensor is needed.", nameof(egoEmbeddings));
        }

        using var scope = NewDisposeScope();
        Tensor total = egoEmbeddings[0].Squared().sum();
        for (int i = 1; i < egoEmbeddings.Length; i++)
        {
            total = total.Plus(egoEmbeddings[i].Squared().sum());
        }

        return total.DividedBy((double)batchSize).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mean cosine between aligned rows, <c>mean_n cos(a_n, b_n)</c> (zero rows count 0): a diagnostic of how far
    /// an alignment has pulled two representations together (a value near 1 for behaviour and semantics means the
    /// behaviour embeddings have been dragged into the semantic subspace).
    /// </summary>
    public static Tensor MeanCosine(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.shape.Length != 2 || !a.shape.SequenceEqual(b.shape))
        {
            throw new ArgumentException($"MeanCosine needs two [n, d] tensors of the same shape; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        }

        using var scope = NewDisposeScope();
        return (Normalize(a) * Normalize(b)).sum(1).mean().MoveToOuterDisposeScope();
    }

    private static void CheckViews(Tensor a, Tensor b, float temperature)
    {
        if (!(temperature > 0) || !float.IsFinite(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The InfoNCE temperature must be a finite number > 0.");
        }

        if (a.shape.Length != 2 || !a.shape.SequenceEqual(b.shape))
        {
            throw new ArgumentException($"InfoNCE needs two [n, d] views of the same shape; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        }
    }

    /// <summary>
    /// Row-wise log-sum-exp, <c>m + log Σ exp(x − m)</c> with the row maximum <c>m</c> held constant for the gradient
    /// (the result does not depend on it). Equal to libtorch's <c>logsumexp</c> and several times faster on the CPU.
    /// </summary>
    internal static Tensor LogSumExp(Tensor logits)
    {
        var max = logits.amax(new long[] { 1 }, keepdim: true).detach();
        return (logits - max).exp().sum(1).log().Plus(max.squeeze(1));
    }

    /// <summary>
    /// Row-wise L2 normalisation that maps a zero row to zero with a zero gradient (never NaN), and neither
    /// overflows for 1e+30 entries nor underflows for 1e-30 entries.
    /// </summary>
    internal static Tensor Normalize(Tensor x)
    {
        // Divide by the row's largest magnitude first (a constant for the gradient: normalisation is scale-invariant),
        // so that squaring stays in range; zero rows use safe denominators and select zero.
        var scale = x.abs().amax(new long[] { 1 }, keepdim: true).detach();
        var safeScale = where(scale.GreaterThan(0), scale, ones_like(scale));
        var scaled = x / safeScale;
        var squares = scaled.Squared().sum(1, keepdim: true);
        var safeSquares = where(squares.GreaterThan(0), squares, ones_like(squares));
        return scaled / safeSquares.sqrt();
    }
}
