namespace Singer.Recommendation.Serving;

/// <summary>How fold-in estimates the ID embedding (layer 0) of a user the model has not trained.</summary>
internal enum EgoEstimate
{
    /// <summary>A ridge-regression map from the first propagated layer to the ID embedding, fitted on the trained users.</summary>
    Regression = 0,

    /// <summary>Zero: only the propagated layers (an ablation for the measurements).</summary>
    Zero = 1,
}

/// <summary>
/// Builds the representation of a user from a list of items the way the model builds its users (<c>docs/serving.md</c>,
/// "New users without retraining"; <c>docs/algorithm.md</c> §2), without retraining and without changing the graph:
/// <list type="bullet">
/// <item>behaviour: <c>b = (e⁰ + Σ_{l=1..L_b} eˡ) / (L_b + 1)</c> with <c>eˡ = Σ_{i∈H} e_i^{l−1} / √(|H| · d_i)</c>, the
/// item rows of the trained propagation layers and the trained item degrees <c>d_i</c> (1 for an item without
/// training interactions), H the items with a behaviour embedding; the ID embedding <c>e⁰</c> is the user's own when
/// the model trained them, else a ridge-regression map of <c>e¹</c> fitted on the trained users;</item>
/// <item>semantics: <c>s = mean_{i∈H'} s_i</c>, the fused semantic representations of all the items (for items added
/// with <c>AddItems</c>, their representation, which is semantic only);</item>
/// <item><c>z = b + s</c>.</item>
/// </list>
/// For a trained user folded in from their training items with their own ID embedding this is their trained
/// representation exactly (up to float rounding): the new user's edges are left out of the items' layers and degrees,
/// which is exact for a user the graph already has and an approximation (one edge per item) for a new one.
/// </summary>
internal sealed class FoldInBasis
{
    private readonly float[][] _itemLayers;   // per layer l = 0 … max(L, 1) − 1: [I, d], the item rows
    private readonly float[] _userEgo;        // [U, d]
    private readonly float[]? _itemSemantic;  // [I, d] or null (LightGCN)
    private readonly int[] _itemDegrees;
    private readonly double[] _map;           // [d, d]: e⁰ ≈ e¹ · A

    public FoldInBasis(int layers, int dimension, float[][] itemLayers, float[] userEgo, float[] userLayer1, float[]? itemSemantic, int[] itemDegrees)
    {
        Layers = layers;
        Dimension = dimension;
        ItemCount = itemDegrees.Length;
        _itemLayers = itemLayers;
        _userEgo = userEgo;
        _itemSemantic = itemSemantic;
        _itemDegrees = itemDegrees;
        _map = FitRidge(userLayer1, userEgo, dimension);
    }

    /// <summary>The behaviour layers <c>L_b</c>.</summary>
    public int Layers { get; }

    /// <summary>The embedding size d.</summary>
    public int Dimension { get; }

    /// <summary>The trained items (the ones with behaviour layers).</summary>
    public int ItemCount { get; }

    /// <summary>The bytes this basis holds.</summary>
    public long Bytes => (4L * (_itemLayers.Sum(l => (long)l.Length) + _userEgo.Length + (_itemSemantic?.Length ?? 0) + _itemDegrees.Length)) + (8L * _map.Length);

    /// <summary>
    /// The representation <c>z</c> of a user with the given items (distinct, any order).
    /// </summary>
    /// <param name="items">Item indices; those ≥ <see cref="ItemCount"/> are items added at serving time.</param>
    /// <param name="trainedUser">The user's index when the model trained them (their own ID embedding is used), else -1.</param>
    /// <param name="snapshotItems">The engine's item matrix (<c>z</c> of every item, row-major), for added items.</param>
    /// <param name="ego">How to estimate the ID embedding of an untrained user.</param>
    public float[] Represent(ReadOnlySpan<int> items, int trainedUser, ReadOnlySpan<float> snapshotItems, EgoEstimate ego = EgoEstimate.Regression)
    {
        int d = Dimension;
        int trained = 0;
        foreach (int i in items)
        {
            if (i < ItemCount)
            {
                trained++;
            }
        }

        // Propagated layers 1 … max(L, 1): e^l = Σ_{i∈H} e_i^{l−1} / √(|H| · d_i).
        var propagated = new double[_itemLayers.Length][];
        for (int l = 0; l < _itemLayers.Length; l++)
        {
            var sum = new double[d];
            if (trained > 0)
            {
                foreach (int i in items)
                {
                    if (i >= ItemCount)
                    {
                        continue;
                    }

                    double weight = 1.0 / Math.Sqrt((double)trained * Math.Max(1, _itemDegrees[i]));
                    var row = _itemLayers[l].AsSpan(i * d, d);
                    for (int c = 0; c < d; c++)
                    {
                        sum[c] += weight * row[c];
                    }
                }
            }

            propagated[l] = sum;
        }

        var z = new double[d];
        if (trainedUser >= 0)
        {
            var own = _userEgo.AsSpan(trainedUser * d, d);
            for (int c = 0; c < d; c++)
            {
                z[c] = own[c];
            }
        }
        else if (ego == EgoEstimate.Regression)
        {
            var p = propagated[0];
            for (int r = 0; r < d; r++)
            {
                double pr = p[r];
                for (int c = 0; c < d; c++)
                {
                    z[c] += pr * _map[(r * d) + c];
                }
            }
        }

        for (int l = 0; l < Layers; l++)
        {
            for (int c = 0; c < d; c++)
            {
                z[c] += propagated[l][c];
            }
        }

        for (int c = 0; c < d; c++)
        {
            z[c] /= Layers + 1;
        }

        if (_itemSemantic is not null && items.Length > 0)
        {
            // s = the mean of the items' semantic representations (an added item's z is semantic only).
            foreach (int i in items)
            {
                var row = i < ItemCount ? _itemSemantic.AsSpan(i * d, d) : snapshotItems.Slice(i * d, d);
                for (int c = 0; c < d; c++)
                {
                    z[c] += row[c] / (double)items.Length;
                }
            }
        }

        return z.Select(v => (float)v).ToArray();
    }

    /// <summary>
    /// <c>A = (PᵀP + λI)⁻¹ PᵀE</c>: the least-squares map from the users' first propagated layer P to their ID
    /// embeddings E, with λ = 10⁻³ · trace(PᵀP) / d (a small ridge that keeps the system well conditioned).
    /// </summary>
    private static double[] FitRidge(float[] p, float[] e, int d)
    {
        int users = p.Length / Math.Max(1, d);
        var gram = new double[d * d];
        var cross = new double[d * d];
        for (int u = 0; u < users; u++)
        {
            var pu = p.AsSpan(u * d, d);
            var eu = e.AsSpan(u * d, d);
            for (int r = 0; r < d; r++)
            {
                double pr = pu[r];
                if (pr == 0)
                {
                    continue;
                }

                for (int c = 0; c < d; c++)
                {
                    gram[(r * d) + c] += pr * pu[c];
                    cross[(r * d) + c] += pr * eu[c];
                }
            }
        }

        double trace = 0;
        for (int r = 0; r < d; r++)
        {
            trace += gram[(r * d) + r];
        }

        double lambda = (1e-3 * trace / Math.Max(1, d)) + 1e-12;
        for (int r = 0; r < d; r++)
        {
            gram[(r * d) + r] += lambda;
        }

        return CholeskySolve(gram, cross, d);
    }

    /// <summary>Solves <c>G X = B</c> for a symmetric positive definite G (d × d) and d right-hand sides.</summary>
    private static double[] CholeskySolve(double[] g, double[] b, int d)
    {
        var l = new double[d * d];
        for (int r = 0; r < d; r++)
        {
            for (int c = 0; c <= r; c++)
            {
                double sum = g[(r * d) + c];
                for (int k = 0; k < c; k++)
                {
                    sum -= l[(r * d) + k] * l[(c * d) + k];
                }

                l[(r * d) + c] = r == c ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / l[(c * d) + c];
            }
        }

        var x = (double[])b.Clone();
        for (int column = 0; column < d; column++)
        {
            // Forward: L y = b; backward: Lᵀ x = y.
            for (int r = 0; r < d; r++)
            {
                double sum = x[(r * d) + column];
                for (int k = 0; k < r; k++)
                {
                    sum -= l[(r * d) + k] * x[(k * d) + column];
                }

                x[(r * d) + column] = sum / l[(r * d) + r];
            }

            for (int r = d - 1; r >= 0; r--)
            {
                double sum = x[(r * d) + column];
                for (int k = r + 1; k < d; k++)
                {
                    sum -= l[(k * d) + r] * x[(k * d) + column];
                }

                x[(r * d) + column] = sum / l[(r * d) + r];
            }
        }

        return x;
    }
}
